import type pg from 'pg';
import type { LogPosition } from '@iwf/contracts';
import { replaceWaiting } from '../parking/store.js';
import { PROJECTION_CHANNEL } from '../runner/applier.js';
import type { Projection } from '../runner/projection.js';
import type { BuilderOptions } from './builder.js';
import { ModelBuilder } from './builder.js';
import { withRebuildLock } from './lock.js';
import { schemaName } from './retarget.js';
import { addSecondaryIndexes, copyGrants, dropSchema, makeDurable, prepareCopies, swapIn } from './shadow.js';

export interface RebuildOptions extends Omit<BuilderOptions, 'schema'> {
  /** How long the swap may wait for readers' locks before it lets them go and tries again. */
  readonly lockTimeoutMs?: number;
  readonly swapAttempts?: number;
}

export interface RebuildResult {
  readonly projection: string;
  readonly version: number;
  readonly events: number;
  readonly parked: number;
  readonly position: LogPosition | undefined;
  readonly seconds: number;
}

/** Tables a projection declares; rebuild and verify need them. */
export function tablesOf(projection: Projection): readonly string[] {
  const tables = projection.tables ?? [];
  if (tables.length === 0) throw new Error(`projection ${projection.name} declares no tables, so it cannot be rebuilt or verified`);
  return tables;
}

/**
 * Blue/green rebuild: replays the whole log into copies of the model's tables beside the live
 * ones, catches up to the head, then, in one transaction holding the checkpoint row (so the
 * live runner pauses between batches), applies the last events, swaps the tables and moves
 * the checkpoint. Queries read the live tables throughout; the runner, finding its
 * checkpoint moved, resumes from the new one. The old tables are dropped after the commit.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { pool, projection } = options;
  const tables = tablesOf(projection);
  const copies = schemaName('iwf_build', projection.name);
  const retired = schemaName('iwf_retired', projection.name);
  const started = process.hrtime.bigint();
  return withRebuildLock(pool, projection.name, async () => {
    await dropSchema(pool, retired);
    // Unlogged while the bulk is written (a crash only loses a copy that is rebuilt anyway), logged before it goes live.
    await prepareCopies(pool, tables, copies, { unlogged: true });
    try {
      const builder = new ModelBuilder({ ...options, schema: copies });
      await builder.catchUp();
      await makeDurable(pool, tables, copies);
      await addSecondaryIndexes(pool, tables, copies);
      await copyGrants(pool, tables, copies);
      await builder.catchUp();
      await swap(options, builder, tables, copies, retired);
      await dropSchema(pool, retired);
      await dropSchema(pool, copies);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { projection: projection.name, version: projection.version, events: builder.events, parked: builder.parked.length, position: builder.position, seconds };
    } catch (error) {
      await dropSchema(pool, copies).catch(() => undefined);
      throw error;
    }
  });
}

const LOCK_NOT_AVAILABLE = '55P03';

async function swap(options: RebuildOptions, builder: ModelBuilder, tables: readonly string[], copies: string, retired: string): Promise<void> {
  const attempts = options.swapAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const mark = builder.mark();
    const client = await options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? 2_000))}`);
      await holdCheckpoint(client, options.projection);
      await builder.catchUpIn(client, await options.store.headPosition());
      await swapIn(client, tables, copies, retired);
      await moveCheckpoint(client, options.projection, builder.position, builder.events);
      await replaceWaiting(client, options.projection.name, builder.parked);
      await client.query('SELECT pg_notify($1, $2)', [PROJECTION_CHANNEL, options.projection.name]);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      builder.reset(mark);
      if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE || attempt >= attempts) throw error;
    } finally {
      client.release();
    }
  }
}

/** Locks the checkpoint row (creating it for a projection that never ran): the runner's batches wait. */
async function holdCheckpoint(tx: pg.PoolClient, projection: Projection): Promise<void> {
  await tx.query(
    `INSERT INTO iwf_read.projection_checkpoints (projection, version, commit_pos, prepare_pos) VALUES ($1, $2, 0, 0)
     ON CONFLICT (projection) DO NOTHING`,
    [projection.name, projection.version],
  );
  await tx.query('SELECT 1 FROM iwf_read.projection_checkpoints WHERE projection = $1 FOR UPDATE', [projection.name]);
}

async function moveCheckpoint(tx: pg.PoolClient, projection: Projection, position: LogPosition | undefined, events: number): Promise<void> {
  await tx.query(
    `UPDATE iwf_read.projection_checkpoints SET version = $2, commit_pos = $3, prepare_pos = $4, events_applied = $5, updated_at = now()
     WHERE projection = $1`,
    [projection.name, projection.version, (position?.commit ?? 0n).toString(), (position?.prepare ?? 0n).toString(), events],
  );
}
