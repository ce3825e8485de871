import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { RecordedEvent } from '@iwf/contracts';
import { upcastRecorded } from '@iwf/contracts';
import { traceProcess } from '@iwf/platform/observability/tracing/messaging';
import { CacheWriter } from '../../runner/cache-writer.js';
import { backoffDelay, isTransientError } from '../../runner/errors.js';
import type { RunnerLogger } from '../../runner/logger.js';
import { stderrLogger } from '../../runner/logger.js';
import { Sleeper } from '../../runner/sleeper.js';
import { createCheckpoints, otherVersions } from '../checkpoints.js';
import { decodeEvent } from '../codec.js';
import { readGroupOffsets } from '../offsets.js';
import type { PartitionOutcome } from './apply.js';
import { applyPartitionBatch } from './apply.js';
import type { GroupProjectorOptions, GroupProjectorStatus } from './options.js';
import { WatermarkKeeper } from './watermark.js';

export type { GroupProjectorOptions, GroupProjectorStatus } from './options.js';

/**
 * Keeps the read models from a Kafka topic as one member of a consumer group. Each partition
 * batch is applied and its offset stored in one PostgreSQL transaction (see apply.ts); on
 * (re)assignment the member seeks to the stored offsets, and Kafka's committed offsets are
 * written only after PostgreSQL's, so they never run ahead of what the read models hold.
 * Beside it a watermark keeper raises the projections' checkpoints to the position the group
 * has applied everything up to (watermark.ts), for reads that wait for a position and verify.
 */
export class KafkaGroupProjector {
  private consumer: Consumer | undefined;
  private readonly cache: CacheWriter;
  private readonly logger: RunnerLogger;
  private readonly sleeper = new Sleeper();
  private readonly keeper: WatermarkKeeper;
  private assigned: number[] = [];
  private applied = 0;
  private skipped = 0;
  private restarts = 0;
  private lastError: string | undefined;
  private stopping = false;
  private phase: GroupProjectorStatus['phase'] = 'starting';
  private starting: Promise<void> | undefined;
  private restarting: Promise<void> | undefined;

  constructor(private readonly options: GroupProjectorOptions) {
    this.logger = options.logger ?? stderrLogger;
    const kinds = options.projections.flatMap((projection) => projection.cacheKinds);
    this.cache = new CacheWriter(options.cache, kinds, this.logger);
    this.keeper = new WatermarkKeeper({
      kafka: options.kafka,
      pool: options.pool,
      group: options.group,
      topic: options.topic,
      relay: options.relay ?? 'default',
      projections: options.projections.map((projection) => projection.name),
      logger: this.logger,
      intervalMs: options.watermarkIntervalMs,
    });
  }

  /** Joins the group; waits first while a model is stored at another version (see awaitCodeVersions). */
  start(): Promise<void> {
    this.starting = this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    if (this.stopping) return;
    // A rebuild or a parked replay locks these rows against the batches; they must exist first.
    await createCheckpoints(this.options.pool, this.options.projections);
    await this.awaitCodeVersions('starting');
    if (this.stopping) return;
    // Entries written before this member started may be older than what is committed now.
    await this.cache.clear();
    await this.startConsumer();
    if (this.stopping) return;
    this.keeper.start();
    // Unless a crash or a swapped version already has the consumer replaced.
    if (this.phase === 'starting') this.phase = 'consuming';
  }

  /**
   * Waits, outside the group, while a model is stored at another version than this code's. The
   * store-fed runner rebuilds such a model itself; a member must not apply one version's
   * handlers to another's tables, and it cannot leave that model out either (a partition's
   * offset is every model's), so it stays out of the group and its partitions go to members
   * whose code matches. `iwf rebuild` run with this code's version ends the wait.
   */
  private async awaitCodeVersions(resume: 'starting' | 'restarting'): Promise<void> {
    for (let round = 0; !this.stopping; round++) {
      const stale = await otherVersions(this.options.pool, this.options.projections);
      if (this.stopping) return;
      if (stale.length === 0) {
        if (round > 0) {
          this.phase = resume;
          this.lastError = undefined;
        }
        return;
      }
      this.phase = 'awaiting_rebuild';
      this.lastError = `${stale.map((model) => `${model.projection} is stored at v${model.stored}, this code has v${model.code}`).join('; ')}`;
      if (round === 0) {
        this.logger.error({ stale, group: this.options.group }, 'read model stored at another version than the code; this member stays out of the group until `iwf rebuild` builds its version');
      }
      await this.sleeper.sleep(this.options.versionCheckMs ?? 5_000);
    }
  }

  private async startConsumer(): Promise<void> {
    const { options } = this;
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    const consumer = options.kafka.consumer({
      groupId: options.group,
      sessionTimeout,
      rebalanceTimeout: Math.max(sessionTimeout, 10_000),
      heartbeatInterval: options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 3)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.maxWaitMs ?? 250,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.assigned = [...(event.payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      void this.seekToStored(consumer, this.assigned);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.lastError = String(event.payload.error);
      this.logger.warn({ err: event.payload.error, group: options.group, restart: event.payload.restart }, 'kafka consumer crashed');
      // kafkajs restarts itself after retriable errors only; a member must never stay down.
      if (!event.payload.restart) this.replace(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      partitionsConsumedConcurrently: options.concurrency ?? 3,
      // A CONSUMER span per traced message, a child of the relay's span for it.
      eachBatch: (payload) => traceProcess(payload.batch, options.group, () => this.eachBatch(consumer, payload)),
    });
  }

  /** Replaces the consumer (once, however many batches or events ask); `stop()` waits for it. */
  private replace(consumer: Consumer): void {
    if (this.consumer !== consumer || this.stopping) return;
    this.restarting = this.restart(consumer);
  }

  /** Replaces a crashed consumer with a new member; its partitions resume from the stored offsets. */
  private async restart(crashed: Consumer): Promise<void> {
    this.consumer = undefined;
    this.assigned = [];
    this.phase = 'restarting';
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 0; !this.stopping; attempt++) {
      await this.sleeper.sleep(backoffDelay(attempt, 500, 10_000));
      if (this.stopping) return;
      try {
        await this.awaitCodeVersions('restarting');
        if (this.stopping) return;
        this.restarts += 1;
        await this.startConsumer();
        if (!this.stopping && this.phase === 'restarting') this.phase = 'consuming';
        return;
      } catch (error) {
        this.logger.warn({ err: error, group: this.options.group, attempt }, 'kafka consumer restart failed');
      }
    }
  }

  status(): GroupProjectorStatus {
    return {
      group: this.options.group,
      phase: this.phase,
      assigned: this.assigned,
      events_applied: this.applied,
      redelivered_skipped: this.skipped,
      watermark: this.keeper.watermark,
      restarts: this.restarts,
      cache_dirty: this.cache.dirty,
      last_error: this.lastError,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.phase = 'stopped';
    this.sleeper.wakeAll();
    // A start or a replacement still in progress ends at its next step; the consumer it may have made is closed below.
    await this.starting?.catch(() => undefined);
    await this.restarting?.catch(() => undefined);
    await this.keeper.stop();
    await this.consumer?.disconnect();
    this.cache.close();
  }

  /** Starts newly assigned partitions where PostgreSQL says, not where Kafka's commits say. */
  private async seekToStored(consumer: Consumer, partitions: readonly number[]): Promise<void> {
    try {
      const stored = await readGroupOffsets(this.options.pool, this.options.group, this.options.topic);
      for (const partition of partitions) {
        const offset = stored.get(partition);
        if (offset !== undefined) consumer.seek({ topic: this.options.topic, partition, offset: offset.toString() });
      }
    } catch (error) {
      // The offset check inside each batch's transaction still holds; this only saves refetching.
      this.logger.warn({ err: error instanceof Error ? error.message : error, group: this.options.group }, 'could not seek to stored offsets');
    }
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // kafkajs hands these over as free functions.
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const { topic, partition } = batch;
    const messages = batch.messages.map((message) => ({
      offset: BigInt(message.offset),
      event: decodeEvent(message.value, `${topic}/${partition}@${message.offset}`),
    }));
    if (messages.length === 0) return;
    let outcome: PartitionOutcome | undefined;
    for (let attempt = 0; !outcome; attempt++) {
      if (!payload.isRunning() || payload.isStale() || this.stopping) return;
      try {
        outcome = await applyPartitionBatch(this.options.pool, this.options.projections, { group: this.options.group, topic, partition, messages }, this.applyOptions);
      } catch (error) {
        if (!isTransientError(error)) throw this.failed(error, partition);
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn({ err: error, group: this.options.group, partition, attempt }, 'partition batch failed; retrying');
        await this.sleeper.sleep(backoffDelay(attempt, 100, 5_000));
        await heartbeat();
      }
    }
    if (outcome.kind === 'other_version') {
      // A rebuild swapped in another version while this member ran: it leaves the group and waits.
      this.logger.error({ stale: outcome.stale, group: this.options.group, partition }, 'read model swapped to another version than the code; this member leaves the group');
      this.replace(consumer);
      return;
    }
    if (outcome.kind === 'gap') {
      // Either a fetch from before a rebalance's seek took effect, or the topic lost messages
      // this group never applied (retention): never skip them, keep asking for the stored offset.
      this.logger.warn({ group: this.options.group, topic, partition, stored: outcome.next.toString(), fetched: messages[0]?.offset.toString() }, 'fetched past the stored offset; seeking back');
      consumer.seek({ topic, partition, offset: outcome.next.toString() });
      return;
    }
    // Kafka's committed offset follows PostgreSQL's, never the other way round.
    payload.resolveOffset((outcome.next - 1n).toString());
    this.options.onLag?.(this.options.group, topic, partition, Number(BigInt(batch.highWatermark) - outcome.next));
    this.applied += outcome.applied;
    this.skipped += outcome.skipped;
    await this.cache.write(outcome.updates);
    this.reportParked(outcome.parked);
    if (outcome.applied > 0) {
      this.keeper.poke();
      this.options.onApplied?.(partition, messages.slice(messages.length - outcome.applied).map((message) => message.event), outcome.covered);
    }
    await payload.commitOffsetsIfNecessary();
    await heartbeat();
  }

  private get applyOptions() {
    return { upcast: this.options.upcast ?? upcastRecorded, park: (this.options.poison ?? 'park') === 'park' };
  }

  private failed(error: unknown, partition: number): unknown {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.logger.error({ err: error, group: this.options.group, partition }, 'partition batch failed for good; the member stops consuming it');
    return error;
  }

  private reportParked(parked: readonly { event: RecordedEvent; reason: string; error: string }[]): void {
    for (const { event, reason, error } of parked) {
      if (reason !== 'failed') continue;
      this.logger.warn({ group: this.options.group, stream_id: event.stream_id, stream_revision: event.stream_revision, event_type: event.type, error }, 'event parked');
    }
  }
}
