import type pg from 'pg';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import type { ParkedEvent, Upcast } from '../parking/isolate.js';
import { applyIsolated, holdBack, upcastNamed } from '../parking/isolate.js';
import { holdState, recordParked } from '../parking/store.js';
import { advanceCheckpoint, lockCheckpoint } from './checkpoints.js';
import { onBatchConnection } from './batch-connection.js';
import { LostLeadershipError } from './errors.js';
import type { CacheUpdate, Projection } from './projection.js';

/** The batch committed with these cache updates, or had already committed before (its answer lost). */
export type BatchOutcome =
  | {
      readonly committed: true;
      readonly updates: CacheUpdate[];
      readonly parked: ParkedEvent[];
      /** Parked events of the projection waiting for a replay, after this batch; undefined when parking is off. */
      readonly waiting: number | undefined;
    }
  | { readonly committed: false };

export interface BatchOptions {
  readonly upcast: Upcast;
  /** Park events that cannot be applied (and hold back later events of their streams). */
  readonly park: boolean;
  /** Apply event by event, parking the ones that fail: the retry of a batch that failed whole. */
  readonly isolate: boolean;
}

/**
 * Applies one batch and advances the checkpoint in one transaction. The checkpoint row is
 * locked and must still be where this runner left it: if another instance moved it, this one
 * has lost leadership and nothing is written. Parked events pass the checkpoint too.
 */
export async function commitBatch(
  pool: pg.Pool,
  projection: Projection,
  expected: LogPosition | undefined,
  events: readonly RecordedEvent[],
  options: BatchOptions,
): Promise<BatchOutcome> {
  const last = events[events.length - 1]?.position;
  if (!last) return { committed: true, updates: [], parked: [], waiting: undefined };
  return onBatchConnection(pool, async (client) => {
    await client.query('BEGIN');
    const checkpoint = await lockCheckpoint(client, projection.name);
    if (checkpoint?.position && comparePositions(checkpoint.position, last) === 0) {
      await client.query('ROLLBACK');
      return { committed: false };
    }
    if (!checkpoint || !samePosition(checkpoint.position, expected)) throw new LostLeadershipError(projection.name);
    const { updates, parked, waiting } = await applyBatch(client, projection, events, options);
    if (parked.length > 0) await recordParked(client, projection.name, parked);
    await advanceCheckpoint(client, projection.name, last, events.length);
    await client.query('COMMIT');
    return { committed: true, updates, parked, waiting };
  });
}

async function applyBatch(
  tx: pg.PoolClient,
  projection: Projection,
  events: readonly RecordedEvent[],
  options: BatchOptions,
): Promise<{ updates: CacheUpdate[]; parked: ParkedEvent[]; waiting: number | undefined }> {
  const upcastAll = (list: readonly RecordedEvent[]) => list.map((event) => upcastNamed(projection, event, options.upcast));
  if (!options.park) return { updates: await projection.apply(tx, upcastAll(events)), parked: [], waiting: undefined };
  // Read under the checkpoint lock, so a concurrent `iwf parked replay` is either all seen or not begun.
  const { held, waiting } = await holdState(tx, projection.name);
  const { apply, parked } = holdBack(events, held);
  if (options.isolate) {
    const isolated = await applyIsolated(tx, projection, apply, held, options.upcast);
    const all = [...parked, ...isolated.parked];
    return { updates: isolated.updates, parked: all, waiting: waiting + all.length };
  }
  const updates = apply.length === 0 ? [] : await projection.apply(tx, upcastAll(apply));
  return { updates, parked, waiting: waiting + parked.length };
}

function samePosition(a: LogPosition | undefined, b: LogPosition | undefined): boolean {
  if (!a || !b) return a === b;
  return comparePositions(a, b) === 0;
}
