import type pg from 'pg';
import type { Admin, Kafka } from 'kafkajs';
import type { LogPosition } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { backoffDelay } from '../../runner/errors.js';
import type { RunnerLogger } from '../../runner/logger.js';
import { Sleeper } from '../../runner/sleeper.js';
import { raiseCheckpoints } from '../checkpoints.js';
import type { PartitionProgress } from '../offsets.js';
import { readPartitionProgress, readRelayCheckpoint, saveGroupWatermark } from '../offsets.js';

/**
 * The group's watermark: a position P such that every event at or below P that went to the
 * topic has been applied, computed from
 *
 * - `relayed`: the relay's checkpoint, read first. Every event at or below it is on the brokers
 *   (the checkpoint is written after acks=all), so below the heads read after it.
 * - `heads`: each partition's high watermark, read next.
 * - `progress`: each partition's stored next offset and the highest position applied below it,
 *   read last (both commit with the read-model rows).
 *
 * The relay sends in log order and a batch's messages for one partition are appended together,
 * so within a partition every event at or below the highest position applied there has been
 * applied (a resend repeats events already applied). A partition consumed to its head has also
 * applied every event at or below `relayed`. The watermark is the lowest of these per-partition
 * bounds: a partition with nothing pending does not hold it back, one with messages pending
 * holds it at what it has applied. Undefined while some partition has no bound at all.
 */
export function groupWatermark(
  relayed: LogPosition | undefined,
  heads: ReadonlyMap<number, bigint>,
  progress: ReadonlyMap<number, PartitionProgress>,
): LogPosition | undefined {
  if (heads.size === 0) return undefined;
  let lowest: LogPosition | undefined;
  for (const [partition, head] of heads) {
    const stored = progress.get(partition);
    const consumed = (stored?.next ?? 0n) >= head;
    const bound = consumed ? higher(relayed, stored?.applied) : stored?.applied;
    if (!bound) return undefined;
    if (!lowest || comparePositions(bound, lowest) < 0) lowest = bound;
  }
  return lowest;
}

function higher(a: LogPosition | undefined, b: LogPosition | undefined): LogPosition | undefined {
  if (!a || !b) return a ?? b;
  return comparePositions(a, b) >= 0 ? a : b;
}

export interface WatermarkKeeperOptions {
  readonly kafka: Kafka;
  /** The read-model database: offsets, the relay checkpoint and the projections' checkpoints. */
  readonly pool: pg.Pool;
  readonly group: string;
  readonly topic: string;
  /** The relay feeding the topic (its checkpoint bounds partitions with nothing pending). */
  readonly relay: string;
  /** Checkpoints raised to the watermark. */
  readonly projections: readonly string[];
  readonly logger: RunnerLogger;
  /** Rounds while nothing pokes the keeper (a round also runs soon after each applied batch). */
  readonly intervalMs?: number;
  /** Least time between two rounds however often it is poked. */
  readonly minGapMs?: number;
}

/**
 * Raises the projections' checkpoints to the group's watermark, in rounds: periodically, and
 * soon after a batch was applied. Every member runs one; rounds are idempotent and checkpoints
 * only move forward, so members never disagree harmfully. Kafka or database outages are logged
 * and the rounds go on.
 */
export class WatermarkKeeper {
  private admin: Admin | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private poked = false;
  private position: LogPosition | undefined;
  private failures = 0;
  private readonly sleeper = new Sleeper();

  constructor(private readonly options: WatermarkKeeperOptions) {}

  /** The last watermark this keeper computed. */
  get watermark(): LogPosition | undefined {
    return this.position;
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.loop();
  }

  /** A batch was applied: run a round soon. */
  poke(): void {
    this.poked = true;
    this.sleeper.wakeAll();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wakeAll();
    // A round waiting on an unreachable broker ends with its connection.
    await this.disconnect();
    await this.running;
    this.running = undefined;
    await this.disconnect();
  }

  /** One round; returns the watermark, or undefined while there is none. */
  async advance(): Promise<LogPosition | undefined> {
    const { pool, group, topic } = this.options;
    // The order matters (see groupWatermark): relay checkpoint, then heads, then offsets.
    const relayed = (await readRelayCheckpoint(pool, this.options.relay)).position;
    const heads = await this.heads();
    const progress = await readPartitionProgress(pool, group, topic);
    const watermark = groupWatermark(relayed, heads, progress);
    if (heads.size > 0) await saveGroupWatermark(pool, group, topic, { partitions: heads.size, position: watermark });
    if (!watermark) return undefined;
    await raiseCheckpoints(pool, this.options.projections, watermark);
    this.position = watermark;
    return watermark;
  }

  private async loop(): Promise<void> {
    const interval = this.options.intervalMs ?? 250;
    const minGap = Math.min(interval, this.options.minGapMs ?? 50);
    while (!this.stopping) {
      const started = Date.now();
      this.poked = false;
      let wait = interval;
      try {
        await this.advance();
        this.failures = 0;
      } catch (error) {
        if (this.stopping) break;
        if (this.failures === 0 || this.failures % 20 === 0) {
          this.options.logger.warn({ err: error, group: this.options.group, attempt: this.failures }, 'kafka watermark round failed; checkpoints wait');
        }
        wait = backoffDelay(this.failures++, interval, 10_000);
        await this.disconnect();
      }
      if (this.stopping) break;
      if (!this.poked || this.failures > 0) await this.sleeper.sleep(Math.max(0, wait - (Date.now() - started)));
      const since = Date.now() - started;
      if (since < minGap && !this.stopping) await this.sleeper.sleep(minGap - since);
    }
  }

  private async heads(): Promise<Map<number, bigint>> {
    let admin = this.admin;
    if (!admin) {
      admin = this.options.kafka.admin();
      this.admin = admin;
      await admin.connect();
    }
    const offsets = await admin.fetchTopicOffsets(this.options.topic);
    return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
  }

  private async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
