import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { KafkaGroupProjector } from '@iwf/projector/kafka/consumer/group-projector';
import { KafkaRelay } from '@iwf/projector/kafka/relay/relay';
import type { KafkaTopics } from '@iwf/projector/kafka/topics';
import { readCheckpoint } from '@iwf/projector/runner/checkpoints';
import type { RunnerLogger } from '@iwf/projector/runner/logger';
import type { Projection } from '@iwf/projector/runner/projection';
import { ProjectionRunner } from '@iwf/projector/runner/runner';
import type { createKafka } from '@iwf/projector/kafka/client';
import { highWatermarks } from '@iwf/projector/kafka/testing/topic-reader';
import { workflowsProjection } from '@iwf/projector/workflows/projection';
import type { LagRecorder } from './lag.js';

type Kafka = ReturnType<typeof createKafka>;

export const quiet: RunnerLogger = { info: () => undefined, warn: () => undefined, error: (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`) };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what} did not finish within ${timeoutMs} ms`);
    await sleep(20);
  }
  return performance.now() - started;
}

/** The direct path: the store's subscription feeds one runner per projection (as PROJECTOR_SOURCE=store). */
export function startDirect(store: EventStore, pool: pg.Pool, lag: LagRecorder): { caughtUp: () => Promise<boolean>; stop: () => Promise<void> } {
  const cache = lag.cache();
  const runners = [workflowsProjection, lag.projection()].map((projection) => new ProjectionRunner({ projection, store, pool, cache, logger: quiet, batchSize: 500 }));
  return {
    async caughtUp() {
      const head = await store.headPosition();
      const checkpoint = await readCheckpoint(pool, workflowsProjection.name);
      return !head || (checkpoint?.position !== undefined && comparePositions(checkpoint.position, head) >= 0);
    },
    stop: async () => void (await Promise.all(runners.map((runner) => runner.stop()))),
  };
}

export interface KafkaPath {
  readonly relay: KafkaRelay;
  relayedAll(): Promise<boolean>;
  consumedAll(): Promise<boolean>;
  stop(): Promise<void>;
}

/** The Kafka path: relay to the topics, and a group of members applying the same projections in another database. */
export async function startKafkaPath(options: { store: EventStore; pool: pg.Pool; kafka: Kafka; topics: KafkaTopics; members: number; fetchWaitMs: number; lag: LagRecorder }): Promise<KafkaPath> {
  const { store, pool, kafka, topics, lag } = options;
  const relay = new KafkaRelay({ store, pool, kafka, topics, idempotent: false, logger: quiet, name: 'bench' });
  const projections: Projection[] = [workflowsProjection, lag.projection()];
  const cache = lag.cache();
  const members = Array.from({ length: options.members }, () => new KafkaGroupProjector({ kafka, pool, cache, projections, topic: topics.events, group: 'bench', logger: quiet, sessionTimeoutMs: 10_000, maxWaitMs: options.fetchWaitMs }));
  await Promise.all(members.map((member) => member.start()));
  return {
    relay,
    async relayedAll() {
      const head = await store.headPosition();
      const position = relay.status().position;
      return !head || (position !== undefined && comparePositions(position, head) >= 0);
    },
    async consumedAll() {
      const heads = await highWatermarks(kafka, topics.events);
      const rows = await pool.query<{ partition: number; next_offset: string }>(`SELECT partition, next_offset::text FROM iwf_kafka.consumer_offsets WHERE group_id = 'bench'`);
      const stored = new Map(rows.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
      return [...heads].every(([partition, high]) => high === 0n || stored.get(partition) === high);
    },
    async stop() {
      await relay.stop();
      await Promise.all(members.map((member) => member.stop()));
    },
  };
}

/** The relay alone over the whole log into fresh topics: its throughput with and without compression. */
export async function relayThroughput(store: EventStore, pool: pg.Pool, kafka: Kafka, topics: KafkaTopics, compression: 'gzip' | 'none'): Promise<{ events: number; seconds: number; events_per_second: number }> {
  const total = (await store.readAll({ max_count: 10_000_000 })).length;
  const relay = new KafkaRelay({ store, pool, kafka, topics, idempotent: false, logger: quiet, name: `throughput-${compression}`, compression, batchSize: 1_000 });
  try {
    const ms = await until(async () => relay.status().events_relayed >= total, 300_000, `relay (${compression})`);
    return { events: total, seconds: Math.round(ms) / 1000, events_per_second: Math.round((total * 1000) / ms) };
  } finally {
    await relay.stop();
  }
}
