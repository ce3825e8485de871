import type { LogPosition } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { projections as readModels } from '../../read-models.js';
import { readCheckpoint } from '../../runner/checkpoints.js';
import type { Projection } from '../../runner/projection.js';
import { KafkaGroupProjector } from '../consumer/group-projector.js';
import { KafkaRelay } from '../relay/relay.js';
import type { KafkaTestbed } from './fixture.js';
import { waitFor } from './fixture.js';
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
  /** Starts a member (it joins the group and resumes from the stored offsets). */
  startMember(projections?: readonly Projection[]): Promise<KafkaGroupProjector>;
  /** Stops every member started so far. */
  stopMembers(): Promise<void>;
  /** Waits until the relay has published the head of the log and the group consumed every partition to its head. */
  settle(timeoutMs?: number): Promise<LogPosition | undefined>;
  /** Waits until every read model's checkpoint is at or past `position`. */
  checkpointsReach(position: LogPosition, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function startKafkaMode(bed: KafkaTestbed, group: string): KafkaMode {
  const relay = new KafkaRelay({ store: bed.store, pool: bed.pool, kafka: bed.kafka, topics: bed.topics, idempotent: bed.idempotent, logger: bed.logger, retry: { initialMs: 50, maxMs: 1_000 } });
  const members: KafkaGroupProjector[] = [];
  const covered = new Map<string, number>();
  const relayed = async (): Promise<LogPosition | undefined> => {
    const head = await bed.store.headPosition();
    const position = relay.status().position;
    return head && position && comparePositions(position, head) >= 0 ? head : undefined;
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
        onApplied: (_partition, _events, counts) => {
          for (const [name, count] of counts) covered.set(name, (covered.get(name) ?? 0) + count);
        },
      });
      members.push(member);
      await member.start();
      return member;
    },
    async stopMembers() {
      for (const member of members.splice(0)) await member.stop();
    },
    async settle(timeoutMs = 60_000) {
      let head: LogPosition | undefined;
      await waitFor(async () => (head = await relayed()) !== undefined || (await bed.store.headPosition()) === undefined, timeoutMs, () => `relay at ${relay.status().events_relayed}`);
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
