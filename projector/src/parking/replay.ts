import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import { upcastRecorded } from '@iwf/contracts';
import type { Cache } from '@iwf/platform/cache/cache';
import { PROJECTION_CHANNEL } from '../runner/applier.js';
import { lockCheckpoint } from '../runner/checkpoints.js';
import { isTransientError } from '../runner/errors.js';
import type { CacheUpdate, Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';
import type { Upcast } from './isolate.js';
import { upcastNamed } from './isolate.js';
import type { ParkedRow } from './store.js';
import { listParked, markFailedAgain, markReplayed } from './store.js';
import { withTransaction } from '@iwf/platform/db/transaction';

export interface ReplayOptions {
  readonly pool: pg.Pool;
  readonly store: Pick<EventStore, 'readStream'>;
  readonly projection: Projection;
  /** Where the runner caches the projection's views; the replayed events' views are written there too. */
  readonly cache?: Cache | undefined;
  readonly stream?: string | undefined;
  readonly upcast?: Upcast;
}

export interface ReplayOutcome {
  readonly replayed: ParkedRow[];
  readonly failed: { readonly row: ParkedRow; readonly error: string }[];
  /** Still held behind a failed event of their stream. */
  readonly waiting: ParkedRow[];
}

/**
 * Applies a projection's parked events (after a fix), stream by stream in log order, in one
 * transaction that holds the checkpoint row, so the live runner is between batches and sees
 * the released streams at its next one. An event that fails again stays parked (with its new
 * error) and keeps the rest of its stream waiting; other streams still go through.
 */
export async function replayParked(options: ReplayOptions): Promise<ReplayOutcome> {
  const { pool, projection } = options;
  const upcast = options.upcast ?? upcastRecorded;
  const outcome: ReplayOutcome = { replayed: [], failed: [], waiting: [] };
  const updates: CacheUpdate[] = [];
  await withTransaction(pool, async (client) => {
    if (!(await lockCheckpoint(client, projection.name))) throw new Error(`projection ${projection.name} has never run here`);
    const rows = await listParked(client, { projection: projection.name, stream_id: options.stream, forUpdate: true });
    const blocked = new Set<string>();
    for (const row of rows) {
      if (blocked.has(row.stream_id)) {
        outcome.waiting.push(row);
        continue;
      }
      await client.query('SAVEPOINT iwf_parked');
      try {
        const [event] = await options.store.readStream(row.stream_id, { from_revision: row.stream_revision, to_revision: row.stream_revision });
        if (event?.event_id !== row.event_id) throw new Error(`event ${row.event_id} is not at ${row.stream_id}@${row.stream_revision}`);
        updates.push(...(await projection.apply(client, [upcastNamed(projection, event, upcast)])));
        await client.query('RELEASE SAVEPOINT iwf_parked');
        await markReplayed(client, row);
        outcome.replayed.push(row);
      } catch (error) {
        if (isTransientError(error)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT iwf_parked');
        const message = messageOf(error);
        await markFailedAgain(client, row, message);
        outcome.failed.push({ row, error: message });
        blocked.add(row.stream_id);
      }
    }
    await client.query('SELECT pg_notify($1, $2)', [PROJECTION_CHANNEL, projection.name]);
  });
  // After commit, guarded by revision like the runner's writes; a failed write only costs a cache miss.
  const cache = options.cache;
  if (cache) await Promise.allSettled(updates.map((update) => cache.setIfNewer(update.key, update.revision, update.value)));
  return outcome;
}

function messageOf(error: unknown): string {
  const cause = error instanceof EventHandlingError ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
