import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '@iwf/contracts';
import { streamId } from '@iwf/contracts';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import { newestPosition } from '@iwf/command-service/event-store/postgres/testing';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { appendInterleaved } from '../kafka/testing/workload.js';
import { MOCK_BINARY, mockClusterAvailable, startMockCluster, type MockKafkaCluster } from '../kafka/testing/mock-cluster.js';
import { projections } from '../read-models.js';
import { enabled, toNewEvent } from '../workflows/testing/workflow-events.js';
import { startService, type RunningService } from './testing/services.js';

const TOPICS = { events: 'iwf.events', integration: 'iwf.integration' };
const PARTITIONS = 6;
const GROUP = 'obs-kafka-metrics';
const NAMES = projections.map((projection) => projection.name);
const SERIES = [
  'iwf_projection_events_processed_total',
  'iwf_projection_lag_events',
  'iwf_projection_lag_seconds',
  'iwf_projection_checkpoint_age_seconds',
  'iwf_projection_position',
  'iwf_projection_head_position',
  'iwf_projection_parked_events',
  'iwf_projection_rebuild_progress_ratio',
  'iwf_projection_cache_dirty',
];

const available = mockClusterAvailable();

/** The value of the one sample of `name` carrying all these labels (in any order). */
function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Each projection's series, by name, from one scrape. */
type Scraped = Map<string, Map<string, number | undefined>>;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, describeLast: () => string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${describeLast()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// The projector binary with PROJECTOR_SOURCE=kafka (relay and consumer group) against the mock cluster, scraped over HTTP.
describe.skipIf(!available)(`projector metrics with PROJECTOR_SOURCE=kafka (${available ? 'librdkafka mock cluster' : `${MOCK_BINARY} not built; scripts/setup.sh builds it`})`, () => {
  let db: TestDatabase;
  let cluster: MockKafkaCluster;
  let pool: pg.Pool;
  let store: EventStore;
  let projector: RunningService | undefined;
  let last: Scraped = new Map();

  const scrape = async (): Promise<Scraped> => {
    const text = await (await fetch(`${projector!.metricsUrl}/metrics`)).text();
    last = new Map(
      NAMES.map((projection) => [
        projection,
        new Map([...SERIES, 'active'].map((name) => [name, name === 'active' ? sampleValue(text, 'iwf_projection_state', { projection, state: 'active' }) : sampleValue(text, name, { projection })])),
      ]),
    );
    return last;
  };
  const shown = (): string => JSON.stringify(Object.fromEntries([...last].map(([projection, series]) => [projection, Object.fromEntries(series)])));
  const head = async (): Promise<number> => Number((await newestPosition(pool))?.prepare ?? 0n);
  /** A scrape where every projection's checkpoint is at the store's head, once it is. */
  const caughtUp = async (): Promise<Scraped | undefined> => {
    const at = await head();
    const scraped = await scrape();
    const done = [...scraped.values()].every((series) => series.get('iwf_projection_position') === at && series.get('iwf_projection_head_position') === at && series.get('iwf_projection_lag_events') === 0);
    return done ? scraped : undefined;
  };

  beforeAll(async () => {
    db = await createTestDatabase('obs_kafka_metrics');
    cluster = await startMockCluster(3);
    await cluster.createTopic(TOPICS.events, PARTITIONS);
    await cluster.createTopic(TOPICS.integration, 3);
    const env = { APP_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', JWT_SECRET: 'iwf-observability-kafka-metrics-0123456789abcdef' };
    const kafka = { PROJECTOR_SOURCE: 'kafka', KAFKA_BROKERS: cluster.brokers.join(','), KAFKA_EVENTS_TOPIC: TOPICS.events, KAFKA_INTEGRATION_TOPIC: TOPICS.integration, KAFKA_GROUP_ID: GROUP, KAFKA_RELAY: 'on', KAFKA_IDEMPOTENT: 'off' };
    // The projector migrates the event store's tables before it reports running.
    projector = await startService('projector', { ...env, ...kafka });
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    store = createPostgresEventStore({ pool, connectionString: db.url, timing: { pollMs: 200 }, onError: () => undefined });
  }, 120_000);

  afterAll(async () => {
    await projector?.stop();
    await store?.close();
    await pool?.end();
    await cluster?.stop();
    await db?.drop();
  });

  it('every projection reports its series from the checkpoints the group raises: at the head with no lag once caught up, behind while the group is held, parked events counted', async () => {
    await appendInterleaved(store, { workflows: 10, eventsPerWorkflow: 4, tenant: 'first' });
    const settled = await eventually('every projection at the head', caughtUp, shown);
    for (const [projection, series] of settled) {
      for (const name of SERIES) expect(series.get(name), `${name} of ${projection}`).toBeDefined();
      expect(series.get('active'), projection).toBe(1);
      expect(series.get('iwf_projection_lag_seconds'), projection).toBe(0);
      expect(series.get('iwf_projection_rebuild_progress_ratio'), projection).toBe(1);
      expect(series.get('iwf_projection_parked_events'), projection).toBe(0);
      expect(series.get('iwf_projection_cache_dirty'), projection).toBe(0);
      expect(series.get('iwf_projection_checkpoint_age_seconds'), projection).toBeGreaterThanOrEqual(0);
      // Every message the group applied (a resend may repeat some).
      expect(series.get('iwf_projection_events_processed_total'), projection).toBeGreaterThanOrEqual(40);
    }

    // The group stalls: the checkpoints' table locked against the share locks every partition batch takes and
    // against the watermark's raise, though not against plain reads. A table lock takes no transaction id,
    // so the log's horizon (and with it the relay and the store's head) moves on.
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE iwf_read.projection_checkpoints IN EXCLUSIVE MODE');
      const held = Number(settled.get(NAMES[0]!)!.get('iwf_projection_position'));
      await appendInterleaved(store, { workflows: 10, eventsPerWorkflow: 3, tenant: 'second' });
      const behind = await eventually(
        'lag while the group is held',
        async () => {
          const at = await head();
          const scraped = await scrape();
          const lagging = [...scraped.values()].every(
            (series) =>
              series.get('iwf_projection_head_position') === at &&
              series.get('iwf_projection_position') === held &&
              series.get('iwf_projection_lag_events')! > 0 &&
              series.get('iwf_projection_lag_seconds')! > 0 &&
              series.get('iwf_projection_rebuild_progress_ratio')! < 1,
          );
          return lagging ? scraped : undefined;
        },
        shown,
      );
      for (const series of behind.values()) expect(series.get('iwf_projection_lag_events')).toBe((await head()) - held);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const resumed = await eventually('every projection at the head again', caughtUp, shown);
    for (const series of resumed.values()) expect(series.get('iwf_projection_events_processed_total')).toBeGreaterThanOrEqual(70);

    // A workflow enabled before it was created cannot be applied: the group parks it and moves on.
    await store.append(streamId('workflow', 'third', 'ghost'), [toNewEvent('third', enabled('ghost', new Date().toISOString()))], 'any');
    await eventually(
      'the parked event counted',
      async () => {
        const scraped = await caughtUp();
        return scraped?.get('workflows')?.get('iwf_projection_parked_events') === 1 ? scraped : undefined;
      },
      shown,
    );
    expect(NAMES.filter((name) => name !== 'workflows').map((name) => last.get(name)?.get('iwf_projection_parked_events'))).toEqual(NAMES.filter((name) => name !== 'workflows').map(() => 0));
  }, 180_000);
});
