import type pg from 'pg';
import { formatPosition } from '@iwf/contracts';
import { cursorPages } from './cursor.js';

export interface ExportFilter {
  readonly tenant?: string | undefined;
  readonly stream?: string | undefined;
  readonly actor?: string | undefined;
  /** Inclusive lower and exclusive upper bound of the recorded time. */
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}

export type ExportFormat = 'ndjson' | 'csv';

interface ExportRow {
  readonly tx_id: string;
  readonly position: string;
  readonly recorded_at: string;
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly tenant: string | null;
  readonly actor: string | null;
  readonly correlation_id: string | null;
  readonly causation_id: string | null;
}

// Log order over the primary key, which the cursor walks without sorting; data and metadata stay text.
const SELECT = `SELECT e.tx_id::text AS tx_id, e.position::text AS position,
    to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at,
    e.stream_id, e.stream_revision::text AS stream_revision, e.event_id::text AS event_id, e.type, e.schema_version,
    e.data::text AS data, e.metadata::text AS metadata, e.metadata->>'tenant' AS tenant, e.metadata->>'actor' AS actor,
    e.metadata->>'correlation_id' AS correlation_id, e.metadata->>'causation_id' AS causation_id
  FROM iwf_events.events e
  WHERE ($1::text IS NULL OR e.metadata->>'tenant' = $1) AND ($2::text IS NULL OR e.stream_id = $2)
    AND ($3::text IS NULL OR e.metadata->>'actor' = $3)
    AND ($4::timestamptz IS NULL OR e.recorded_at >= $4) AND ($5::timestamptz IS NULL OR e.recorded_at < $5)
  ORDER BY e.tx_id, e.position`;

export const CSV_COLUMNS = [
  'position', 'recorded_at', 'stream_id', 'stream_revision', 'event_id', 'type', 'schema_version',
  'tenant', 'actor', 'correlation_id', 'causation_id', 'data', 'metadata',
] as const;

/**
 * Lines of an export (a CSV header first), from one consistent snapshot through a
 * server-side cursor: memory stays flat however long the log is. Data and metadata pass
 * through as the database's JSON text, never parsed.
 */
export async function* exportLines(pool: pg.Pool, filter: ExportFilter, format: ExportFormat): AsyncGenerator<string[]> {
  if (format === 'csv') yield [`${CSV_COLUMNS.join(',')}\r\n`];
  const params = [filter.tenant ?? null, filter.stream ?? null, filter.actor ?? null, filter.from ?? null, filter.to ?? null];
  for await (const rows of cursorPages<ExportRow>(pool, SELECT, params, 1_000)) {
    yield rows.map((row) => (format === 'csv' ? csvLine(row) : ndjsonLine(row)));
  }
}

function positionOf(row: ExportRow): string {
  return formatPosition({ commit: BigInt(row.tx_id), prepare: BigInt(row.position) });
}

function ndjsonLine(row: ExportRow): string {
  const head = JSON.stringify({
    position: positionOf(row),
    stream_id: row.stream_id,
    stream_revision: Number(row.stream_revision),
    event_id: row.event_id,
    type: row.type,
    schema_version: row.schema_version,
    recorded_at: row.recorded_at,
  });
  // Spliced in as text: the stored JSON is already valid JSON.
  return `${head.slice(0, -1)},"metadata":${row.metadata},"data":${row.data}}\n`;
}

function csvLine(row: ExportRow): string {
  const cells = [
    positionOf(row), row.recorded_at, row.stream_id, row.stream_revision, row.event_id, row.type, String(row.schema_version),
    row.tenant ?? '', row.actor ?? '', row.correlation_id ?? '', row.causation_id ?? '', row.data, row.metadata,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
