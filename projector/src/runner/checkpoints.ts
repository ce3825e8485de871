import type pg from 'pg';
import type { LogPosition } from '@iwf/contracts';
import type { Migration } from '@iwf/platform/db/migrations';

/** Where each projection has got to; committed in the same transaction as its read model. */
export const checkpointsMigration: Migration = {
  version: 1,
  name: 'projection checkpoints',
  up: `
CREATE TABLE iwf_read.projection_checkpoints (
  projection text PRIMARY KEY,
  version integer NOT NULL,
  commit_pos bigint NOT NULL,
  prepare_pos bigint NOT NULL,
  events_applied bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);`,
  down: 'DROP TABLE iwf_read.projection_checkpoints;',
};

export interface Checkpoint {
  readonly projection: string;
  readonly version: number;
  /** Undefined until the first batch commits. */
  readonly position: LogPosition | undefined;
  readonly events_applied: number;
  readonly updated_at: Date;
}

interface CheckpointRow {
  readonly projection: string;
  readonly version: number;
  readonly commit_pos: string;
  readonly prepare_pos: string;
  readonly events_applied: string;
  readonly updated_at: Date;
}

const SELECT = 'SELECT projection, version, commit_pos, prepare_pos, events_applied, updated_at FROM iwf_read.projection_checkpoints';

/** A position as checkpoint and offset rows store it; 0/0 is the start of the log (nothing applied yet). */
export function storedPosition(commit_pos: string, prepare_pos: string): LogPosition | undefined {
  const position = { commit: BigInt(commit_pos), prepare: BigInt(prepare_pos) };
  return position.commit === 0n && position.prepare === 0n ? undefined : position;
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    projection: row.projection,
    version: row.version,
    position: storedPosition(row.commit_pos, row.prepare_pos),
    events_applied: Number(row.events_applied),
    updated_at: row.updated_at,
  };
}

export async function readCheckpoint(db: Pick<pg.ClientBase, 'query'>, projection: string): Promise<Checkpoint | undefined> {
  const result = await db.query<CheckpointRow>(`${SELECT} WHERE projection = $1`, [projection]);
  const row = result.rows[0];
  return row ? toCheckpoint(row) : undefined;
}

/** Reads the checkpoint, creating it at the start of the log for a new projection. */
export async function ensureCheckpoint(db: Pick<pg.ClientBase, 'query'>, projection: string, version: number): Promise<Checkpoint> {
  await db.query(
    `INSERT INTO iwf_read.projection_checkpoints (projection, version, commit_pos, prepare_pos)
     VALUES ($1, $2, 0, 0) ON CONFLICT (projection) DO NOTHING`,
    [projection, version],
  );
  const checkpoint = await readCheckpoint(db, projection);
  if (!checkpoint) throw new Error(`checkpoint of ${projection} vanished`);
  return checkpoint;
}

/** Locks the checkpoint row for the rest of the transaction, so two writers serialise on it. */
export async function lockCheckpoint(tx: pg.PoolClient, projection: string): Promise<Checkpoint | undefined> {
  const result = await tx.query<CheckpointRow>(`${SELECT} WHERE projection = $1 FOR UPDATE`, [projection]);
  const row = result.rows[0];
  return row ? toCheckpoint(row) : undefined;
}

export async function advanceCheckpoint(tx: pg.PoolClient, projection: string, position: LogPosition, applied: number): Promise<void> {
  await tx.query(
    `UPDATE iwf_read.projection_checkpoints
     SET commit_pos = $2, prepare_pos = $3, events_applied = events_applied + $4, updated_at = now()
     WHERE projection = $1`,
    [projection, position.commit.toString(), position.prepare.toString(), applied],
  );
}
