import type pg from 'pg';
import type { LogPosition } from '@iwf/contracts';
import type { HeldStreams, ParkedEvent } from './isolate.js';

type Db = Pick<pg.ClientBase, 'query'>;

/** A parked event as operators see it (`iwf parked list`). */
export interface ParkedRow {
  readonly projection: string;
  readonly position: LogPosition;
  readonly event_id: string;
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly event_type: string;
  readonly reason: 'failed' | 'held';
  readonly error: string;
  readonly attempts: number;
  readonly parked_at: Date;
  readonly replayed_at: Date | null;
}

interface Row extends Omit<ParkedRow, 'position' | 'stream_revision'> {
  readonly commit_pos: string;
  readonly prepare_pos: string;
  readonly stream_revision: string;
}

const COLUMNS = `projection, commit_pos::text AS commit_pos, prepare_pos::text AS prepare_pos, event_id::text AS event_id,
  stream_id, stream_revision::text AS stream_revision, event_type, reason, error, attempts, parked_at, replayed_at`;

/** The streams a projection must not apply events of, until their parked events are replayed. */
export async function heldStreams(db: Db, projection: string): Promise<HeldStreams> {
  return (await holdState(db, projection)).held;
}

/** The held streams, and how many parked events wait in all. */
export async function holdState(db: Db, projection: string): Promise<{ held: HeldStreams; waiting: number }> {
  const result = await db.query<{ stream_id: string; first: string; waiting: string }>(
    `SELECT stream_id, min(stream_revision)::text AS first, count(*)::text AS waiting FROM iwf_read.parked_events
     WHERE projection = $1 AND replayed_at IS NULL GROUP BY stream_id`,
    [projection],
  );
  const held: HeldStreams = new Map(result.rows.map((row) => [row.stream_id, Number(row.first)]));
  return { held, waiting: result.rows.reduce((sum, row) => sum + Number(row.waiting), 0) };
}

/** Parks events; an event parked and replayed before (then parked again by a rebuild) waits again. */
export async function recordParked(db: Db, projection: string, parked: readonly ParkedEvent[]): Promise<void> {
  if (parked.length === 0) return;
  const rows = parked.map(({ event, reason, error }) => ({
    commit_pos: event.position.commit.toString(),
    prepare_pos: event.position.prepare.toString(),
    event_id: event.event_id,
    stream_id: event.stream_id,
    stream_revision: event.stream_revision,
    event_type: event.type,
    reason,
    error,
  }));
  await db.query(
    `INSERT INTO iwf_read.parked_events (projection, commit_pos, prepare_pos, event_id, stream_id, stream_revision, event_type, reason, error)
     SELECT $1, commit_pos, prepare_pos, event_id, stream_id, stream_revision, event_type, reason, error
     FROM jsonb_to_recordset($2::jsonb) AS r(commit_pos bigint, prepare_pos bigint, event_id uuid, stream_id text,
       stream_revision bigint, event_type text, reason text, error text)
     ON CONFLICT (projection, commit_pos, prepare_pos) DO UPDATE
       SET reason = EXCLUDED.reason, error = EXCLUDED.error, parked_at = now(), replayed_at = NULL`,
    [projection, JSON.stringify(rows)],
  );
}

export interface ParkedFilter {
  readonly projection?: string | undefined;
  readonly stream_id?: string | undefined;
  /** Include events already replayed. */
  readonly all?: boolean | undefined;
  /** Lock the rows (inside a transaction), so two replays never apply one event twice. */
  readonly forUpdate?: boolean | undefined;
}

/** Parked events in log order. */
export async function listParked(db: Db, filter: ParkedFilter = {}): Promise<ParkedRow[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM iwf_read.parked_events
     WHERE ($1::text IS NULL OR projection = $1) AND ($2::text IS NULL OR stream_id = $2) AND ($3 OR replayed_at IS NULL)
     ORDER BY projection, commit_pos, prepare_pos${filter.forUpdate ? ' FOR UPDATE' : ''}`,
    [filter.projection ?? null, filter.stream_id ?? null, filter.all === true],
  );
  return result.rows.map(({ commit_pos, prepare_pos, stream_revision, ...row }) => ({
    ...row,
    stream_revision: Number(stream_revision),
    position: { commit: BigInt(commit_pos), prepare: BigInt(prepare_pos) },
  }));
}

export async function markReplayed(db: Db, row: ParkedRow): Promise<void> {
  await db.query(`UPDATE iwf_read.parked_events SET replayed_at = now() WHERE ${KEY}`, keyOf(row));
}

export async function markFailedAgain(db: Db, row: ParkedRow, error: string): Promise<void> {
  await db.query(`UPDATE iwf_read.parked_events SET attempts = attempts + 1, error = $4, reason = 'failed' WHERE ${KEY}`, [...keyOf(row), error]);
}

/** A rebuilt model replaces the waiting parked events of the model it replaces. */
export async function replaceWaiting(db: Db, projection: string, parked: readonly ParkedEvent[]): Promise<void> {
  await db.query('DELETE FROM iwf_read.parked_events WHERE projection = $1 AND replayed_at IS NULL', [projection]);
  await recordParked(db, projection, parked);
}

const KEY = 'projection = $1 AND commit_pos = $2 AND prepare_pos = $3';
const keyOf = (row: ParkedRow): string[] => [row.projection, row.position.commit.toString(), row.position.prepare.toString()];
