import type pg from 'pg';
import type { Kafka } from 'kafkajs';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import type { Cache } from '@iwf/platform/cache/cache';
import type { RunnerLogger } from '../../runner/logger.js';
import type { Projection } from '../../runner/projection.js';

export interface GroupProjectorOptions {
  readonly kafka: Kafka;
  /** The read-model database; offsets live there too. */
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly projections: readonly Projection[];
  readonly topic: string;
  readonly group: string;
  /** The relay publishing to the topic (its checkpoint's name); default `default`, the projector role's. */
  readonly relay?: string;
  /** How often a member kept out by a model at another version checks again (default 5 s). */
  readonly versionCheckMs?: number;
  /** How often the watermark keeper raises the checkpoints while no batch pokes it (default 250 ms). */
  readonly watermarkIntervalMs?: number;
  readonly logger?: RunnerLogger;
  readonly upcast?: (event: RecordedEvent) => RecordedEvent;
  readonly poison?: 'park' | 'stop';
  /** Partitions this member works on at once, each in its own transaction. */
  readonly concurrency?: number;
  /** How long the group waits for a silent member before handing its partitions to others. */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /**
   * Longest a fetch waits on the broker for new messages. Brokers answer as soon as data arrives;
   * librdkafka's mock cluster waits the whole time, so a short wait bounds the added lag there.
   */
  readonly maxWaitMs?: number;
  /** Messages between this group's stored offset and the partition head, after each batch (`iwf_kafka_consumer_lag`). */
  readonly onLag?: (group: string, topic: string, partition: number, lag: number) => void;
  /**
   * Called after each committed partition batch (tests and bench watch progress with it), with
   * the fresh events and, per projection, how many of them its checkpoint already covered.
   */
  readonly onApplied?: (partition: number, events: readonly RecordedEvent[], covered: ReadonlyMap<string, number>) => void;
}

export interface GroupProjectorStatus {
  readonly group: string;
  /**
   * Before the first consumer runs, while one runs, while a crashed one is replaced, while a model
   * is stored at another version than the code's (out of the group), after `stop()`.
   */
  readonly phase: 'starting' | 'consuming' | 'restarting' | 'awaiting_rebuild' | 'stopped';
  readonly assigned: readonly number[];
  readonly events_applied: number;
  readonly redelivered_skipped: number;
  /** The last watermark this member's keeper computed: every event at or below it is applied. */
  readonly watermark: LogPosition | undefined;
  /** Consumers replaced after kafkajs gave up on them. */
  readonly restarts: number;
  /** True while cache writes fail and the projections' entries await clearing. */
  readonly cache_dirty: boolean;
  readonly last_error: string | undefined;
}
