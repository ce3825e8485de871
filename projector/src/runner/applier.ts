import type pg from 'pg';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions, upcastRecorded } from '@iwf/contracts';
import type { ParkedEvent } from '../parking/isolate.js';
import { commitBatch } from './batch.js';
import type { BatchOutcome } from './batch.js';
import type { CacheWriter } from './cache-writer.js';
import type { Checkpoint } from './checkpoints.js';
import { LostLeadershipError, isTransientError } from './errors.js';
import type { RunnerLogger } from './logger.js';
import type { Projection } from './projection.js';

/** Channel the query service LISTENs on; the payload is the projection's name. */
export const PROJECTION_CHANNEL = 'iwf_projection';

export interface ApplierContext {
  readonly pool: pg.Pool;
  readonly projection: Projection;
  readonly cache: CacheWriter;
  readonly logger: RunnerLogger;
  readonly upcast?: ((event: RecordedEvent) => RecordedEvent) | undefined;
  /** Park events the projection cannot apply instead of stopping on them. */
  readonly park: boolean;
  /** Throws when retrying must end: the runner is stopping or has lost its lock. */
  readonly assertActive: () => void;
  readonly waitToRetry: (error: unknown, attempt: number) => Promise<void>;
  /** A batch committed (after retries, the runner is healthy again). */
  readonly onCommitted: () => void;
  /** A batch failed after its handler call returned; the subscription must stop. */
  readonly onFailure: (error: unknown) => void;
}

/**
 * Applies the batches of one activation, in order. A batch is handed over once the previous
 * one has committed, so the subscription reads the next page while this one commits; at most
 * one batch is ever in flight. After commit: cache writes, then the notification.
 */
export class BatchApplier {
  position: LogPosition | undefined;
  eventsApplied: number;
  lastRecordedAt: Date | undefined;
  lastBatchAt: Date | undefined;
  /** Parked events waiting for a replay, as of the last batch. */
  parkedWaiting: number | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly context: ApplierContext,
    checkpoint: Checkpoint,
  ) {
    this.position = checkpoint.position;
    this.eventsApplied = checkpoint.events_applied;
  }

  /** The subscription's batch handler. */
  async accept(batch: readonly RecordedEvent[]): Promise<void> {
    await this.drain();
    const events = this.fresh(batch);
    if (events.length === 0) return;
    const work = this.apply(events);
    this.inFlight = work;
    work.catch((error: unknown) => this.context.onFailure(error));
  }

  /** Waits for the batch in flight; rethrows its failure. */
  async drain(): Promise<void> {
    const work = this.inFlight;
    this.inFlight = undefined;
    await work;
  }

  private async apply(events: readonly RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1]!;
    const outcome = await this.commitWithRetry(events);
    this.context.onCommitted();
    this.position = last.position;
    this.lastRecordedAt = last.recorded_at;
    this.lastBatchAt = new Date();
    if (outcome.committed) {
      this.eventsApplied += events.length;
      this.parkedWaiting = outcome.waiting;
      this.reportParked(outcome.parked);
      await this.context.cache.write(outcome.updates);
    } else {
      // Committed by an attempt whose answer was lost; its cache writes never happened.
      this.context.cache.invalidate();
    }
    await this.notify();
  }

  /** Drops events at or before the checkpoint (redelivered); upcasting happens in the batch. */
  private fresh(batch: readonly RecordedEvent[]): readonly RecordedEvent[] {
    const after = this.position;
    return after ? batch.filter((event) => comparePositions(event.position, after) > 0) : batch;
  }

  /** A batch that fails whole is tried again event by event, so only the bad events are parked. */
  private async commitWithRetry(events: readonly RecordedEvent[]): Promise<BatchOutcome> {
    const { park } = this.context;
    const upcast = this.context.upcast ?? upcastRecorded;
    let isolate = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await commitBatch(this.context.pool, this.context.projection, this.position, events, { upcast, park, isolate });
      } catch (error) {
        if (park && !isolate && !isTransientError(error) && !(error instanceof LostLeadershipError)) {
          isolate = true;
          continue;
        }
        if (!isTransientError(error)) throw error;
        this.context.assertActive();
        await this.context.waitToRetry(error, attempt);
      }
    }
  }

  private reportParked(parked: readonly ParkedEvent[]): void {
    for (const { event, reason, error } of parked) {
      if (reason !== 'failed') continue;
      const fields = { projection: this.context.projection.name, stream_id: event.stream_id, stream_revision: event.stream_revision, event_type: event.type, error };
      this.context.logger.warn(fields, 'event parked; later events of its stream wait for `iwf parked replay`');
    }
  }

  private async notify(): Promise<void> {
    try {
      await this.context.pool.query('SELECT pg_notify($1, $2)', [PROJECTION_CHANNEL, this.context.projection.name]);
    } catch (error) {
      // Readers also poll the checkpoint; a lost wake-up only delays them.
      this.context.logger.warn({ err: error, projection: this.context.projection.name }, 'projection notify failed');
    }
  }
}
