import type { AuditEventView, Page, RecordedEvent } from '@iwf/contracts';
import { EVENT_COLUMNS, LOG_HORIZON, toRecordedEvent } from '@iwf/command-service/event-store/postgres/rows';
import type { EventRow } from '@iwf/command-service/event-store/postgres/rows';
import { DomainError, formatPosition, upcastRecorded } from '@iwf/contracts';
import type { ListOptions, Queryable } from '../keyset.js';
import { checkLimit, decodeCursor, pageOf } from '../keyset.js';

/**
 * Audit reads straight from the event log (`iwf_events.events`), not from a read model:
 * what happened is exactly what was recorded. Rows are read and parsed as the event store
 * reads them (its columns and row mapping).
 */

// Only events below the log's horizon: the order of what is shown is final.
const HORIZON = `e.tx_id < ${LOG_HORIZON}`;

/** Most events one stream answer carries; a longer history is read in parts with at_revision. */
export const MAX_STREAM_EVENTS = 10_000;

export function toAuditView(event: RecordedEvent): AuditEventView {
  const current = upcastRecorded(event);
  return {
    position: formatPosition(current.position),
    stream_id: current.stream_id,
    stream_revision: current.stream_revision,
    event_id: current.event_id,
    type: current.type,
    schema_version: current.schema_version,
    data: current.data,
    metadata: current.metadata,
    recorded_at: current.recorded_at.toISOString(),
  };
}

export interface StreamCut {
  readonly at_revision?: number | undefined;
  readonly at_time?: Date | undefined;
}

/**
 * A stream's events from the first up to the cut (inclusive), and its head revision; undefined
 * for no stream. Times are shown to the millisecond, so a time cut includes its whole millisecond.
 */
export async function readStreamUpTo(db: Queryable, streamId: string, cut: StreamCut): Promise<{ events: RecordedEvent[]; head: number } | undefined> {
  const head = await db.query<{ last: string | null }>('SELECT max(stream_revision)::text AS last FROM iwf_events.events WHERE stream_id = $1', [streamId]);
  const last = head.rows[0]?.last;
  if (last === null || last === undefined) return undefined;
  const result = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM iwf_events.events e
     WHERE e.stream_id = $1 AND ($2::bigint IS NULL OR e.stream_revision <= $2) AND ($3::timestamptz IS NULL OR e.recorded_at < $3::timestamptz + interval '1 millisecond')
     ORDER BY e.stream_revision LIMIT $4`,
    [streamId, cut.at_revision ?? null, cut.at_time ?? null, MAX_STREAM_EVENTS + 1],
  );
  if (result.rows.length > MAX_STREAM_EVENTS) {
    throw new DomainError('validation', `The stream has more than ${MAX_STREAM_EVENTS} events up to that point; ask for an earlier at_revision.`, [
      { pointer: '/querystring/at_revision', message: `at most ${MAX_STREAM_EVENTS} events per answer` },
    ]);
  }
  return { events: result.rows.map(toRecordedEvent), head: Number(last) };
}

export interface AuditEventFilter extends ListOptions {
  readonly actor?: string | undefined;
  readonly correlation_id?: string | undefined;
  readonly stream_id?: string | undefined;
  readonly type?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}

/** The tenant's events across streams, in log order (newest first unless asc), with a keyset cursor. */
export async function listAuditEvents(db: Queryable, tenant: string, filter: AuditEventFilter): Promise<Page<AuditEventView>> {
  checkLimit(filter.limit);
  const desc = filter.order !== 'asc';
  const after = filter.cursor === undefined ? null : decodeCursor(filter.cursor, positionKey);
  const result = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM iwf_events.events e
     WHERE ${HORIZON} AND e.metadata->>'tenant' = $1
       AND ($2::text IS NULL OR e.metadata->>'actor' = $2) AND ($3::text IS NULL OR e.metadata->>'correlation_id' = $3)
       AND ($4::text IS NULL OR e.stream_id = $4) AND ($5::text IS NULL OR e.type = $5)
       AND ($6::timestamptz IS NULL OR e.recorded_at >= $6) AND ($7::timestamptz IS NULL OR e.recorded_at < $7)
       AND ($8::text IS NULL OR (e.tx_id, e.position) ${desc ? '<' : '>'} ($8::text::xid8, $9::bigint))
     ORDER BY e.tx_id ${desc ? 'DESC' : 'ASC'}, e.position ${desc ? 'DESC' : 'ASC'} LIMIT $10`,
    [tenant, filter.actor ?? null, filter.correlation_id ?? null, filter.stream_id ?? null, filter.type ?? null,
      filter.from ?? null, filter.to ?? null, after?.[0] ?? null, after?.[1] ?? null, filter.limit + 1],
  );
  const page = pageOf(result.rows, filter.limit, (row) => [row.tx_id, row.position]);
  return { items: page.items.map((row) => toAuditView(toRecordedEvent(row))), next_cursor: page.next_cursor };
}

// A transaction id is an unsigned 64-bit xid8, a position a signed 64-bit bigint.
const MAX_TX_ID = 2n ** 64n - 1n;
const MAX_POSITION = 2n ** 63n - 1n;

function positionKey([commit, prepare, ...rest]: unknown[]): [string, string] | undefined {
  const upTo = (part: unknown, max: bigint): part is string => typeof part === 'string' && /^\d{1,20}$/.test(part) && BigInt(part) <= max;
  return upTo(commit, MAX_TX_ID) && upTo(prepare, MAX_POSITION) && rest.length === 0 ? [commit, prepare] : undefined;
}
