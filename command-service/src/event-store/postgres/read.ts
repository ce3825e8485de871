import type { LogPosition, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '@iwf/contracts';
import { START } from '@iwf/contracts';
import type pg from 'pg';
import { EVENT_COLUMNS, LOG_HORIZON, toPosition, toRecordedEvent } from './rows.js';
import type { EventRow } from './rows.js';

const MAX_REVISION = '9223372036854775807';

function streamQuery(direction: 'ASC' | 'DESC'): string {
  return `SELECT ${EVENT_COLUMNS} FROM iwf_events.events e
    WHERE e.stream_id = $1 AND e.stream_revision BETWEEN $2::bigint AND $3::bigint
    ORDER BY e.stream_revision ${direction} LIMIT $4::bigint`;
}

const READ_FORWARDS = streamQuery('ASC');
const READ_BACKWARDS = streamQuery('DESC');

const LOG_AFTER = `SELECT ${EVENT_COLUMNS} FROM iwf_events.events e
    WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint) AND e.tx_id < ${LOG_HORIZON}
      AND ($4::text[] IS NULL OR e.type LIKE ANY ($4::text[]))
    ORDER BY e.tx_id, e.position LIMIT $3::bigint`;

/**
 * One page of the log after a position, and in the same snapshot: the newest position a
 * reader may pass (so a type filter does not rescan what it skipped) and whether committed
 * rows wait beyond the horizon (a transaction that began earlier is still open).
 */
const READ_PAGE = `
  WITH page AS (${LOG_AFTER}), head AS (
    SELECT e.tx_id::text AS head_tx, e.position::text AS head_position FROM iwf_events.events e
    WHERE e.tx_id < ${LOG_HORIZON} ORDER BY e.tx_id DESC, e.position DESC LIMIT 1
  ), meta AS (
    SELECT head.head_tx, head.head_position,
      EXISTS (SELECT 1 FROM iwf_events.events WHERE tx_id >= ${LOG_HORIZON}) AS pending
    FROM (SELECT 1) AS one LEFT JOIN head ON true
  )
  SELECT meta.*, page.* FROM meta LEFT JOIN page ON true
  ORDER BY page.tx_id::xid8, page.position::bigint`;

export async function readStream(pool: pg.Pool, stream_id: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  const backwards = options.direction === 'backwards';
  const lower = backwards ? 0 : (options.from_revision ?? 0);
  const upper = Math.min(
    backwards ? (options.from_revision ?? Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER,
    options.to_revision ?? Number.MAX_SAFE_INTEGER,
  );
  const result = await pool.query<EventRow>({
    name: backwards ? 'iwf_events_read_backwards' : 'iwf_events_read_forwards',
    text: backwards ? READ_BACKWARDS : READ_FORWARDS,
    values: [stream_id, lower, upper === Number.MAX_SAFE_INTEGER ? MAX_REVISION : upper, options.max_count ?? null],
  });
  return result.rows.map(toRecordedEvent);
}

export interface LogPage {
  readonly events: RecordedEvent[];
  /** Newest position below the horizon when the page was read; undefined for an empty log. */
  readonly head: LogPosition | undefined;
  /** Committed events exist beyond the horizon: read again soon. */
  readonly pending: boolean;
}

interface PageRow extends Partial<EventRow> {
  readonly head_tx: string | null;
  readonly head_position: string | null;
  readonly pending: boolean;
}

function logValues(options: ReadAllOptions): unknown[] {
  const after = options.after ?? START;
  return [after.commit.toString(), after.prepare.toString(), options.max_count ?? null, options.type_prefixes?.map(likePrefix) ?? null];
}

/** The log after a position, below the horizon, in (transaction id, position) order. */
export async function readAll(pool: pg.Pool, options: ReadAllOptions): Promise<RecordedEvent[]> {
  const result = await pool.query<EventRow>({ name: 'iwf_events_read_all', text: LOG_AFTER, values: logValues(options) });
  return result.rows.map(toRecordedEvent);
}

export async function readPage(pool: pg.Pool, options: ReadAllOptions): Promise<LogPage> {
  const result = await pool.query<PageRow>({ name: 'iwf_events_read_page', text: READ_PAGE, values: logValues(options) });
  const first = result.rows[0];
  const head = first?.head_tx && first.head_position ? toPosition(first.head_tx, first.head_position) : undefined;
  const events = result.rows.filter((row): row is PageRow & EventRow => row.event_id != null).map(toRecordedEvent);
  return { events, head, pending: first?.pending ?? false };
}

export async function headPosition(pool: pg.Pool): Promise<LogPosition | undefined> {
  const result = await pool.query<{ tx_id: string; position: string }>({
    name: 'iwf_events_head',
    text: `SELECT e.tx_id::text AS tx_id, e.position::text AS position FROM iwf_events.events e
      WHERE e.tx_id < ${LOG_HORIZON} ORDER BY e.tx_id DESC, e.position DESC LIMIT 1`,
  });
  const row = result.rows[0];
  return row ? toPosition(row.tx_id, row.position) : undefined;
}

/** A LIKE pattern matching strings that start with `prefix` taken literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
