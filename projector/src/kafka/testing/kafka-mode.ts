import type { LogPosition } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { newestPosition } from '@iwf/command-service/event-store/postgres/testing';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { projections as readModels } from '../../read-models.js';
import { readCheckpoint } from '../../runner/checkpoints.js';
import type { Projection } from '../../runner/projection.js';
import { KafkaGroupProjector } from '../consumer/group-projector.js';
import { KafkaRelay } from '../relay/relay.js';
import { afterEach } from 'vitest';
import type { KafkaBackend } from './backends.js';
import type { KafkaTestbed } from './fixture.js';
import { createKafkaTestbed, waitFor } from './fixture.js';
import { highWatermarks } from './topic-reader.js';

/**
 * The projector's Kafka mode in this process, on a testbed: the relay (default name, as the
 * projector role runs it) and members of one consumer group that can be stopped and started
 * again. Counts, per projection, the events members left out as covered by its checkpoint.
 */
export interface KafkaMode {
  readonly relay: KafkaRelay;
  readonly group: string;
  readonly covered: Map<string, number>;
  /**
   * Starts a member; resolves once it joined the group and resumes from the stored offsets (later,
   * while a model is stored at another version than the code's).
   */
  startMember(projections?: readonly Projection[]): Promise<KafkaGroupProjector>;
  /** A member whose start is under way, and the start (which may wait, e.g. for a rebuild). */
  launchMember(projections?: readonly Projection[]): { member: KafkaGroupProjector; started: Promise<void> };
  /** The position of the newest committed event (the store's head may lag it for a moment). */
  newest(): Promise<LogPosition | undefined>;
  /** Waits until the relay has published, and the store's head reached, the newest committed event; resolves with its position. */
  relayed(timeoutMs?: number): Promise<LogPosition | undefined>;
  /** Stops every member started so far. */
  stopMembers(): Promise<void>;
  /**
   * Waits until the relay has published the newest committed event and the group consumed every
   * partition to its head; resolves with that event's position (undefined for an empty log).
   */
  settle(timeoutMs?: number): Promise<LogPosition | undefined>;
  /** Waits until every read model's checkpoint is at or past `position`. */
  checkpointsReach(position: LogPosition, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function startKafkaMode(bed: KafkaTestbed, group: string): KafkaMode {
  const relay = new KafkaRelay({ store: bed.store, pool: bed.pool, kafka: bed.kafka, topics: bed.topics, idempotent: bed.idempotent, logger: bed.logger, retry: { initialMs: 50, maxMs: 1_000 } });
  const members: KafkaGroupProjector[] = [];
  const covered = new Map<string, number>();
  const relayed = async (timeoutMs = 60_000): Promise<LogPosition | undefined> => {
    // The store's head lags the newest event while any transaction on the server holds the horizon back.
    const head = await newestPosition(bed.pool);
    const reached = (position: LogPosition | undefined): boolean => !head || (position !== undefined && comparePositions(position, head) >= 0);
    await waitFor(async () => reached(relay.status().position) && reached(await bed.store.headPosition()), timeoutMs, () => `relay at ${relay.status().events_relayed}`);
    return head;
  };
  const consumed = async (): Promise<boolean> => {
    const heads = await highWatermarks(bed.kafka, bed.topics.events);
    const rows = await bed.pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset::text FROM iwf_kafka.consumer_offsets WHERE group_id = $1 AND topic = $2',
      [group, bed.topics.events],
    );
    const stored = new Map(rows.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
    return [...heads].every(([partition, high]) => (stored.get(partition) ?? 0n) >= high);
  };
  return {
    relay,
    group,
    covered,
    async startMember(projections = readModels) {
      const { member, started } = this.launchMember(projections);
      await started;
      return member;
    },
    launchMember(projections = readModels) {
      const member = new KafkaGroupProjector({
        kafka: bed.kafka,
        pool: bed.pool,
        cache: createMemoryCache(),
        projections,
        topic: bed.topics.events,
        group,
        logger: bed.logger,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        watermarkIntervalMs: 100,
        versionCheckMs: 100,
        onApplied: (_partition, _events, counts) => {
          for (const [name, count] of counts) covered.set(name, (covered.get(name) ?? 0) + count);
        },
      });
      members.push(member);
      return { member, started: member.start() };
    },
    newest: () => newestPosition(bed.pool),
    relayed,
    async stopMembers() {
      for (const member of members.splice(0)) await member.stop();
    },
    async settle(timeoutMs = 60_000) {
      const head = await relayed(timeoutMs);
      await waitFor(consumed, timeoutMs, () => `partitions of ${group} not consumed: ${bed.logger.lines.slice(-5).join('\n')}`);
      return head;
    },
    async checkpointsReach(position, timeoutMs = 30_000) {
      const behind = async (): Promise<string[]> => {
        const names: string[] = [];
        for (const projection of readModels) {
          const checkpoint = await readCheckpoint(bed.pool, projection.name);
          if (!checkpoint?.position || comparePositions(checkpoint.position, position) < 0) names.push(projection.name);
        }
        return names;
      };
      let last: string[] = [];
      await waitFor(async () => (last = await behind()).length === 0, timeoutMs, () => `checkpoints behind: ${last.join(', ')}; ${bed.logger.lines.slice(-5).join('\n')}`);
    },
    async close() {
      await relay.stop();
      for (const member of members.splice(0)) await member.stop();
    },
  };
}

/**
 * A testbed with Kafka mode on it for each test that opens one, closed after that test (the
 * mode first). Call inside the `describe` whose tests use it.
 */
export function kafkaModePerTest(): { open(label: string, backend: KafkaBackend, group: string): Promise<{ testbed: KafkaTestbed; mode: KafkaMode }> } {
  let opened: { testbed: KafkaTestbed; mode: KafkaMode } | undefined;
  afterEach(async () => {
    const closing = opened;
    opened = undefined;
    await closing?.mode.close();
    await closing?.testbed.close();
  });
  return {
    async open(label, backend, group) {
      const testbed = await createKafkaTestbed(label, backend);
      opened = { testbed, mode: startKafkaMode(testbed, group) };
      return opened;
    },
  };
}
