import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { streamId, upcastRecorded } from '@iwf/contracts';
import { eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { projections, readModelMigrations } from '../read-models.js';
import { iwf, toolingEnv } from '../verify/testing/cli.js';
import { appendLoad, generateLoad } from '../verify/testing/load.js';
import { decodeEvent } from './codec.js';
import { applyPartitionBatch } from './consumer/apply.js';
import { WatermarkKeeper } from './consumer/watermark.js';
import { readPartitionProgress } from './offsets.js';
import { partitionFor } from './partitioner.js';
import { kafkaBackends } from './testing/backends.js';
import type { KafkaTestbed } from './testing/fixture.js';
import { EVENT_PARTITIONS, createKafkaTestbed } from './testing/fixture.js';
import type { KafkaMode } from './testing/kafka-mode.js';
import { startKafkaMode } from './testing/kafka-mode.js';
import { readTopic } from './testing/topic-reader.js';

/** What the operator's shell holds in Kafka mode. */
function kafkaEnv(bed: KafkaTestbed, group: string): Record<string, string> {
  return { ...toolingEnv(bed.db.url), PROJECTOR_SOURCE: 'kafka', KAFKA_BROKERS: bed.cluster.brokers.join(','), KAFKA_GROUP_ID: group, KAFKA_EVENTS_TOPIC: bed.topics.events };
}

const one = async (bed: KafkaTestbed, sql: string): Promise<Record<string, string>> => (await bed.pool.query<Record<string, string>>(sql)).rows[0]!;

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('iwf verify with PROJECTOR_SOURCE=kafka ($description)', (backend) => {
  let bed: KafkaTestbed;
  let mode: KafkaMode;
  let total: number;

  beforeAll(async () => {
    if (!backend.available) return;
    bed = await createKafkaTestbed('kafka_verify', backend);
    mode = startKafkaMode(bed, 'verify');
    total = await appendLoad(bed.pool, generateLoad({ tenants: 2, orders: 25, seed: 5 }));
    await mode.startMember();
    const head = await mode.settle(120_000);
    await mode.checkpointsReach(head!);
  }, 180_000);

  afterAll(async () => {
    await mode?.close();
    await bed?.close();
  });

  it.skipIf(!backend.available)('finds no drift in the models a consumer group built', async () => {
    const result = await iwf(['verify', '--all'], kafkaEnv(bed, 'verify'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const projection of projections) expect(result.stdout).toMatch(new RegExp(`^${projection.name}: no drift \\(${total} events replayed, compared at [0-9a-z]+-[0-9a-z]+\\)$`, 'm'));
  });

  it.skipIf(!backend.available)('reports a tampered row as drift and exits 1', async () => {
    const workflow = await one(bed, 'SELECT tenant, workflow_id, name FROM iwf_read.workflows ORDER BY tenant, workflow_id LIMIT 1');
    await bed.pool.query("UPDATE iwf_read.workflows SET name = 'tampered' WHERE tenant = $1 AND workflow_id = $2", [workflow['tenant'], workflow['workflow_id']]);
    try {
      const result = await iwf(['verify', 'workflows', 'executions'], kafkaEnv(bed, 'verify'));
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('workflows: DRIFT in 1 row(s)');
      const key = JSON.stringify({ tenant: workflow['tenant'], workflow_id: workflow['workflow_id'] });
      expect(result.stdout.split('\n')).toContain(`workflows\tworkflows\t${key}\tname\t"tampered"\t${JSON.stringify(workflow['name'])}`);
      expect(result.stdout).toContain('executions: no drift');
    } finally {
      await bed.pool.query('UPDATE iwf_read.workflows SET name = $3 WHERE tenant = $1 AND workflow_id = $2', [workflow['tenant'], workflow['workflow_id'], workflow['name']]);
    }
  });

  it.skipIf(!backend.available)('compares a model whose partitions are applied to different points: the checkpoint plus what each partition applied beyond it', async () => {
    // A second group over the same topic, fed by hand: every partition in full but one, that one half-way.
    const group = 'verify-partial';
    await mode.stopMembers();
    const messages = await readTopic(bed.kafka, bed.topics.events);
    const partitions = [...new Set(messages.map((message) => message.partition))].sort((a, b) => a - b);
    const [short] = partitions;
    const subjects = projections.filter((projection) => ['workflows', 'executions', 'approvals'].includes(projection.name));
    const names = subjects.map((projection) => projection.name);
    await bed.pool.query(`TRUNCATE ${subjects.flatMap((projection) => projection.tables ?? []).map((table) => `iwf_read.${table}`).join(', ')}`);
    await bed.pool.query('DELETE FROM iwf_read.parked_events WHERE projection = ANY($1)', [names]);
    await bed.pool.query('UPDATE iwf_read.projection_checkpoints SET commit_pos = 0, prepare_pos = 0, events_applied = 0 WHERE projection = ANY($1)', [names]);
    const keeper = new WatermarkKeeper({ kafka: bed.kafka, pool: bed.pool, group, topic: bed.topics.events, relay: 'default', projections: names, logger: bed.logger });
    try {
      for (const partition of partitions) {
        const own = messages.filter((message) => message.partition === partition);
        const take = partition === short ? own.slice(0, Math.ceil(own.length / 2)) : own;
        const batch = take.map((message) => ({ offset: message.offset, event: decodeEvent(message.value, `${partition}@${message.offset}`) }));
        for (let from = 0; from < batch.length; from += 100) {
          const outcome = await applyPartitionBatch(bed.pool, subjects, { group, topic: bed.topics.events, partition, messages: batch.slice(from, from + 100) }, { upcast: upcastRecorded, park: true });
          expect(outcome.kind).toBe('applied');
        }
      }
      const watermark = await keeper.advance();
      const progress = await readPartitionProgress(bed.pool, group, bed.topics.events);
      expect(watermark).toEqual(progress.get(short!)?.applied);

      const env = kafkaEnv(bed, group);
      const result = await iwf(['verify', 'workflows', 'executions', 'approvals', '--json'], env);
      expect(result.stderr).toBe('');
      const reports = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { projection: string; drift: number; beyond: number; events: number });
      expect(reports.map(({ projection, drift }) => ({ projection, drift }))).toEqual(subjects.map((projection) => ({ projection: projection.name, drift: 0 })));
      // Most of what the model holds lies beyond the checkpoint, in the partitions applied further.
      for (const report of reports) expect(report.beyond).toBeGreaterThan(0);
      expect(result.code).toBe(0);
      expect((await iwf(['verify', 'workflows'], env)).stdout).toMatch(/^workflows: no drift \(\d+ events replayed, compared at [0-9a-z]+-[0-9a-z]+ and \d+ events the consumer group applied beyond it\)$/m);

      // A row of a partition applied beyond the checkpoint is compared too.
      const executions = await bed.pool.query<{ tenant: string; execution_id: string }>('SELECT tenant, execution_id FROM iwf_read.executions ORDER BY tenant, execution_id');
      const ahead = executions.rows.find((row) => partitionFor(streamId('execution', row.tenant, row.execution_id), EVENT_PARTITIONS) !== short)!;
      await bed.pool.query("UPDATE iwf_read.executions SET status = 'tampered' WHERE tenant = $1 AND execution_id = $2", [ahead['tenant'], ahead['execution_id']]);
      const drifted = await iwf(['verify', 'executions'], env);
      expect(drifted.code).toBe(1);
      expect(drifted.stdout).toContain('executions: DRIFT in 1 row(s)');
      expect(drifted.stdout).toContain(`\t${JSON.stringify({ tenant: ahead['tenant'], execution_id: ahead['execution_id'] })}\tstatus\t"tampered"\t`);
    } finally {
      await keeper.stop();
    }
  });

  it.skipIf(!backend.available)('fails with a reason when the group applied past the checkpoint but never recorded its partition count, or the database has no Kafka state', async () => {
    await bed.pool.query("DELETE FROM iwf_kafka.group_watermarks WHERE group_id = 'verify-partial'");
    const unknown = await iwf(['verify', 'workflows'], kafkaEnv(bed, 'verify-partial'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('consumer group verify-partial has applied events past the checkpoint but recorded no watermark (partition count) yet');

    const plain = await createTestDatabase('kafka_verify_plain');
    const pool = new pg.Pool({ connectionString: plain.url, max: 2 });
    try {
      for (const set of [eventStoreMigrations, readModelMigrations]) await migrateUp(pool, set);
      const result = await iwf(['verify', 'workflows'], { ...kafkaEnv(bed, 'verify'), ...toolingEnv(plain.url) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('this database holds no Kafka consumer state (schema iwf_kafka); is PROJECTOR_SOURCE=kafka right?');
    } finally {
      await pool.end();
      await plain.drop();
    }
  });
});
