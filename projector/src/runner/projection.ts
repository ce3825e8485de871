import type pg from 'pg';
import type { RecordedEvent } from '@iwf/contracts';
import { formatPosition } from '@iwf/contracts';

/** A cache write to perform once the batch that produced it has committed. */
export interface CacheUpdate {
  readonly key: string;
  /** The aggregate revision the value reflects; the cache keeps the newest. */
  readonly revision: number;
  readonly value: unknown;
}

/**
 * A read model kept by the runner. `apply` runs inside the batch transaction (the checkpoint
 * commits with it) and must be idempotent by (stream, revision): events at or below the
 * revision a row records are skipped. It receives every event of the log, in order, and
 * ignores those it does not use.
 */
export interface Projection {
  readonly name: string;
  /** Bumped when the model's shape or meaning changes; a different stored version needs a rebuild. */
  readonly version: number;
  /** Cache kinds (the `kind` of `cacheKey`) this projection writes; cleared when it starts. */
  readonly cacheKinds: readonly string[];
  /**
   * The model's tables in `iwf_read`, named in its SQL as `iwf_read.<table>`. A rebuild or a
   * verify builds copies of exactly these elsewhere and points the handler's SQL at them;
   * a projection without them can be run but not rebuilt or verified.
   */
  readonly tables?: readonly string[];
  apply(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<CacheUpdate[]>;
}

/**
 * A handler failed on one event. It names the event so the operator (and, later, a parking
 * step) can find it; the runner stops on it rather than skip an event silently.
 */
export class EventHandlingError extends Error {
  constructor(
    readonly projection: string,
    readonly event: RecordedEvent,
    override readonly cause: unknown,
  ) {
    super(
      `projection ${projection} failed on ${event.type} ${event.stream_id}@${event.stream_revision} ` +
        `(position ${formatPosition(event.position)}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'EventHandlingError';
  }
}
