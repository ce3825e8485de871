/**
 * bench:kafka — the scale-out path against the direct one, in one run, on one machine:
 *   1. a backlog of events is appended, then the direct store subscription and the relay with a
 *      group of Kafka members catch up on it side by side (each into its own database);
 *   2. a steady write load, with the end-to-end lag (append issued → read model committed) of
 *      the same events measured through both paths at once;
 *   3. the relay alone over the whole log, gzip and uncompressed.
 * Kafka is the librdkafka mock cluster (3 brokers on loopback) that the tests use.
 * Options: --backlog N (30000) --rate N/s (300) --seconds N (20) --members N (3)
 * --fetch-wait-ms N (250: the members' fetch wait, which the mock always sits out) --out FILE.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import { createKafka } from '@iwf/projector/kafka/client';
import { kafkaMigrations } from '@iwf/projector/kafka/migrations';
import { startMockCluster } from '@iwf/projector/kafka/testing/mock-cluster';
import { appendInterleaved } from '@iwf/projector/kafka/testing/workload';
import { readModelMigrations } from '@iwf/projector/read-models';
import { freshDatabase } from '../append/database.js';
import { LagRecorder, summarize } from './lag.js';
import { steadyLoad } from './load.js';
import { quiet, relayThroughput, startDirect, startKafkaPath, until } from './paths.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

async function main(): Promise<void> {
  const backlog = option('backlog', 30_000);
  const rate = option('rate', 300);
  const seconds = option('seconds', 20);
  const members = option('members', 3);
  const fetchWaitMs = option('fetch-wait-ms', 250);
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex >= 0 ? process.argv[outIndex + 1]! : fileURLToPath(new URL('../../results/kafka.json', import.meta.url));

  const storeDb = await freshDatabase('kafka_store');
  const kafkaDb = await freshDatabase('kafka_read');
  const storePool = new pg.Pool({ connectionString: storeDb.url, max: 16 });
  const kafkaPool = new pg.Pool({ connectionString: kafkaDb.url, max: 16 });
  const cluster = await startMockCluster(3);
  const store = createPostgresEventStore({ pool: storePool, connectionString: storeDb.url, onError: () => undefined });
  try {
    await migrateUp(storePool, eventStoreMigrations);
    await migrateUp(storePool, readModelMigrations);
    await migrateUp(kafkaPool, readModelMigrations);
    await migrateUp(kafkaPool, kafkaMigrations);
    const topics = { events: 'bench.events', integration: 'bench.integration' };
    for (const [name, partitions] of [[topics.events, 6], [topics.integration, 3], ['gzip.events', 6], ['gzip.integration', 3], ['plain.events', 6], ['plain.integration', 3]] as const) {
      await cluster.createTopic(name, partitions);
    }
    const kafka = createKafka({ brokers: cluster.brokers, clientId: 'bench' }, quiet);

    process.stderr.write(`appending a backlog of ${backlog} events\n`);
    await appendInterleaved(store, { workflows: Math.ceil(backlog / 20), eventsPerWorkflow: 20, perAppend: 10, writers: 8, tenant: 'bench-backlog' });
    const direct = new LagRecorder('lag_direct');
    const viaKafka = new LagRecorder('lag_kafka');
    const startedAt = performance.now();
    const directPath = startDirect(store, storePool, direct);
    const kafkaPath = await startKafkaPath({ store, pool: kafkaPool, kafka, topics, members, fetchWaitMs, lag: viaKafka });
    const catchUp = await Promise.all([
      until(() => directPath.caughtUp(), 600_000, 'direct catch-up').then(() => performance.now() - startedAt),
      until(() => kafkaPath.relayedAll(), 600_000, 'relay catch-up').then(() => performance.now() - startedAt),
      until(() => kafkaPath.consumedAll(), 600_000, 'kafka catch-up').then(() => performance.now() - startedAt),
    ]);
    const rateOf = (ms: number): number => Math.round((backlog * 1000) / ms);

    process.stderr.write(`steady load: ${rate} events/s for ${seconds} s\n`);
    const total = await steadyLoad(store, {
      rate,
      seconds,
      streams: 200,
      tenant: 'bench-live',
      onSent: (id, at) => {
        direct.sent.set(id, at);
        viaKafka.sent.set(id, at);
      },
    });
    await until(async () => direct.lags.length >= total && viaKafka.lags.length >= total, 120_000, 'lag measurements');
    await directPath.stop();
    await kafkaPath.stop();

    process.stderr.write('relay alone over the whole log\n');
    const gzip = await relayThroughput(store, kafkaPool, kafka, { events: 'gzip.events', integration: 'gzip.integration' }, 'gzip');
    const plain = await relayThroughput(store, kafkaPool, kafka, { events: 'plain.events', integration: 'plain.integration' }, 'none');

    const report = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model },
      kafka: 'librdkafka mock cluster, 3 brokers, 6 partitions, acks=all',
      catch_up: {
        events: backlog,
        direct_store_subscription: { seconds: catchUp[0] / 1000, events_per_second: rateOf(catchUp[0]) },
        relay_publishing: { seconds: catchUp[1] / 1000, events_per_second: rateOf(catchUp[1]) },
        kafka_group: { members, seconds: catchUp[2] / 1000, events_per_second: rateOf(catchUp[2]) },
      },
      end_to_end_lag: { rate_per_second: rate, seconds, fetch_wait_ms: fetchWaitMs, direct_store_subscription: summarize(direct.lags), through_kafka: summarize(viaKafka.lags) },
      relay_alone: { gzip, none: plain },
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await store.close();
    await cluster.stop();
    await storePool.end();
    await kafkaPool.end();
    await storeDb.drop();
    await kafkaDb.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:kafka failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
