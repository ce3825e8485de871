import pg from 'pg';
import type { Kafka } from 'kafkajs';
import type { EventStore } from '@iwf/contracts';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { readModelMigrations } from '../../read-models.js';
import type { RunnerLogger } from '../../runner/logger.js';
import { createKafka } from '../client.js';
import { kafkaMigrations } from '../migrations.js';
import type { KafkaTopics } from '../topics.js';
import type { KafkaBackend } from './backends.js';
import type { TestKafkaCluster } from './mock-cluster.js';
import { PROBE_DDL } from './probe.js';

export const EVENT_PARTITIONS = 6;
export const INTEGRATION_PARTITIONS = 3;

/** Warnings (rebalances, broker retries) are kept for a failing test's message, not printed. */
export function quietLogger(): RunnerLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (fields: object, message: string): void => void lines.push(`${message} ${JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`.slice(0, 500));
  return { lines, info: () => undefined, warn: keep, error: keep };
}

/** A fresh database (event store, read models, Kafka offsets, probe) and a Kafka cluster of the backend's kind. */
export interface KafkaTestbed {
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly cluster: TestKafkaCluster;
  readonly kafka: Kafka;
  /** Whether the relay may use the idempotent producer here. */
  readonly idempotent: boolean;
  readonly topics: KafkaTopics;
  readonly logger: ReturnType<typeof quietLogger>;
  close(): Promise<void>;
}

export async function createKafkaTestbed(label: string, backend: KafkaBackend): Promise<KafkaTestbed> {
  const db = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: db.url, max: 16 });
  pool.on('error', () => undefined);
  for (const set of [eventStoreMigrations, readModelMigrations, kafkaMigrations]) await migrateUp(pool, set);
  await pool.query(PROBE_DDL);
  const store = createPostgresEventStore({ pool, connectionString: db.url, timing: { pollMs: 200 }, onError: () => undefined });
  const cluster = await backend.start();
  const topics: KafkaTopics = { events: 'iwf.events', integration: 'iwf.integration' };
  await cluster.createTopic(topics.events, EVENT_PARTITIONS);
  await cluster.createTopic(topics.integration, INTEGRATION_PARTITIONS);
  const logger = quietLogger();
  const kafka = createKafka({ brokers: cluster.brokers, clientId: 'testbed' }, logger);
  return {
    db,
    pool,
    store,
    cluster,
    kafka,
    idempotent: backend.idempotent,
    topics,
    logger,
    async close() {
      await store.close();
      await cluster.stop();
      await pool.end();
      await db.drop();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true; throws with `describe()` after the timeout. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(100);
  }
}
