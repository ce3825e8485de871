import type { EventStore, LogPosition } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';

export type RunnerState =
  | 'starting'
  /** Another instance holds the projection's lock; this one waits to take over. */
  | 'standby'
  | 'active'
  /** Building a new version of the model beside the live one (the live one keeps answering). */
  | 'rebuilding'
  /** Waiting out a transient failure before trying again. */
  | 'retrying'
  /**
   * The model is stored at another version than this code's: a Kafka group member stays out of
   * its group until `iwf rebuild` builds this version (the store-fed runner rebuilds instead).
   */
  | 'awaiting_rebuild'
  | 'stopped'
  | 'failed';

/** A snapshot of one projection runner, for health checks and metrics. */
export interface ProjectionStatus {
  readonly projection: string;
  readonly version: number;
  readonly state: RunnerState;
  /** Position of the last event applied, undefined before the first. */
  readonly position: LogPosition | undefined;
  /** Events applied since the projection was created (from the checkpoint row). */
  readonly events_applied: number;
  /** The newest position the store could deliver when last asked. */
  readonly head_position: LogPosition | undefined;
  /** Age of the last applied event while the log holds newer ones; 0 when caught up. */
  readonly lag_seconds: number;
  readonly last_batch_at: Date | undefined;
  /** True while cache writes fail and the projection's entries await clearing. */
  readonly cache_dirty: boolean;
  /** Parked events waiting for `iwf parked replay` (as of the last batch or activation). */
  readonly parked_events: number;
  /** 0..1 while the runner rebuilds its model for a new version; undefined otherwise. */
  readonly rebuild_progress: number | undefined;
  readonly last_error: string | undefined;
}

export function isBehind(position: LogPosition | undefined, head: LogPosition | undefined): boolean {
  if (!head) return false;
  return !position || comparePositions(position, head) < 0;
}

/**
 * How far behind the log the model is, in time: the age of the last event applied, or, before
 * any, how long the runner has been at it (`since`).
 */
export function lagSeconds(position: LogPosition | undefined, head: LogPosition | undefined, since: Date, now: Date): number {
  if (!isBehind(position, head)) return 0;
  return Math.max(0, (now.getTime() - since.getTime()) / 1000);
}

/** Samples the head of the log in the background while a runner is active, for `lag_seconds`. */
export class HeadSampler {
  private timer: NodeJS.Timeout | undefined;
  head: LogPosition | undefined;

  constructor(
    private readonly store: Pick<EventStore, 'headPosition'>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stop();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    // A failed sample leaves the previous head; the next one will do.
    this.store.headPosition().then(
      (head) => (this.head = head),
      () => undefined,
    );
  }
}
