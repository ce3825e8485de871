import type pg from 'pg';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { advanceCheckpoint, lockCheckpoint } from './checkpoints.js';
import { LostLeadershipError, isTransientError } from './errors.js';
import type { CacheUpdate, Projection } from './projection.js';

/** The batch committed with these cache updates, or had already committed before (its answer lost). */
export type BatchOutcome = { readonly committed: true; readonly updates: CacheUpdate[] } | { readonly committed: false };

/**
 * Applies one batch and advances the checkpoint in one transaction. The checkpoint row is
 * locked and must still be where this runner left it: if another instance moved it, this one
 * has lost leadership and nothing is written.
 */
export async function commitBatch(
  pool: pg.Pool,
  projection: Projection,
  expected: LogPosition | undefined,
  events: readonly RecordedEvent[],
): Promise<BatchOutcome> {
  const last = events[events.length - 1]?.position;
  if (!last) return { committed: true, updates: [] };
  const client = await pool.connect();
  // Errors of a checked-out connection also fail the running query; this keeps them from crashing the process.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let broken: unknown;
  try {
    await client.query('BEGIN');
    const checkpoint = await lockCheckpoint(client, projection.name);
    if (checkpoint?.position && comparePositions(checkpoint.position, last) === 0) {
      await client.query('ROLLBACK');
      return { committed: false };
    }
    if (!checkpoint || !samePosition(checkpoint.position, expected)) throw new LostLeadershipError(projection.name);
    const updates = await projection.apply(client, events);
    await advanceCheckpoint(client, projection.name, last, events.length);
    await client.query('COMMIT');
    return { committed: true, updates };
  } catch (error) {
    if (isTransientError(error)) broken = error;
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', ignore);
    // A connection that failed mid-transaction is destroyed rather than handed to the next user.
    client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
  }
}

function samePosition(a: LogPosition | undefined, b: LogPosition | undefined): boolean {
  if (!a || !b) return a === b;
  return comparePositions(a, b) === 0;
}
