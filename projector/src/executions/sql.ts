import type pg from 'pg';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { parseStreamId } from '@iwf/contracts';

/**
 * Helpers the engine's projections share: rows go to PostgreSQL as one JSON array per
 * statement (`jsonb_to_recordset`), so a batch costs a statement per table whatever its size.
 */
export type Fields = readonly (readonly [column: string, type: string])[];

export const columnsOf = (fields: Fields): string => fields.map(([column]) => column).join(', ');
export const typesOf = (fields: Fields): string => fields.map(([column, type]) => `${column} ${type}`).join(', ');

/**
 * INSERT … ON CONFLICT UPDATE from a JSON array of rows. The WHERE repeats the revision guard
 * in SQL: an older version of a row never replaces a newer one.
 */
export function upsertStatement(table: string, fields: Fields, key: readonly string[], keptOnUpdate: readonly string[] = []): string {
  const kept = new Set([...key, ...keptOnUpdate]);
  const updated = fields.map(([column]) => column).filter((column) => !kept.has(column));
  return `
INSERT INTO ${table} (${columnsOf(fields)})
SELECT ${columnsOf(fields)} FROM jsonb_to_recordset($1::jsonb) AS r(${typesOf(fields)})
ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updated.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
WHERE ${table}.revision < EXCLUDED.revision`;
}

export interface StreamKey {
  readonly tenant: string;
  readonly id: string;
}

export function streamKeyOf(event: RecordedEvent): StreamKey {
  const parsed = parseStreamId(event.stream_id);
  if (!parsed) throw new Error(`malformed stream id ${event.stream_id}`);
  return { tenant: parsed.tenant, id: parsed.id };
}

export const keyOf = ({ tenant, id }: StreamKey): string => `${tenant}:${id}`;

/** The tenants and ids of the streams a batch touches, as two parallel arrays for `unnest`. */
export function streamKeys(events: readonly RecordedEvent[]): [tenants: string[], ids: string[]] {
  const tenants: string[] = [];
  const ids: string[] = [];
  for (const stream of new Set(events.map((event) => event.stream_id))) {
    const parsed = parseStreamId(stream);
    if (parsed) {
      tenants.push(parsed.tenant);
      ids.push(parsed.id);
    }
  }
  return [tenants, ids];
}

export const inCategory = (events: readonly RecordedEvent[], category: string): RecordedEvent[] =>
  events.filter((event) => parseStreamId(event.stream_id)?.category === category);

/** The id an event names must be the id of its stream; anything else is a bug upstream. */
export function checkNamedId(event: RecordedEvent, field: string, id: string): void {
  const named = (event.data as Record<string, unknown> | null)?.[field];
  if (named !== id) throw new Error(`event names ${field} ${String(named)}, its stream ${id}`);
}

/** Columns every read-model row carries beside its view. */
export interface StoredColumns {
  readonly tenant: string;
  readonly last_commit: string;
  readonly last_prepare: string;
}

export const positionOf = (row: StoredColumns): LogPosition => ({ commit: BigInt(row.last_commit), prepare: BigInt(row.last_prepare) });

/** The rows of the streams a batch touches, in one statement. */
export async function loadRows<Row extends pg.QueryResultRow>(
  tx: pg.PoolClient,
  table: string,
  idColumn: string,
  columns: string,
  events: readonly RecordedEvent[],
): Promise<(Row & StoredColumns)[]> {
  const [tenants, ids] = streamKeys(events);
  const result = await tx.query<Row & StoredColumns>(
    `SELECT tenant, ${columns}, last_commit, last_prepare
     FROM ${table} JOIN unnest($1::text[], $2::text[]) AS k(tenant, ${idColumn}) USING (tenant, ${idColumn})`,
    [tenants, ids],
  );
  return result.rows;
}

/** A folded row: the view it shows, its tenant, the position of its last event. */
export interface ViewRecord<View> {
  readonly tenant: string;
  readonly view: View;
  readonly position: LogPosition;
}

/** Writes records with an upsert statement; `extra` adds columns that are not part of the view. */
export async function writeRows<View extends object, R extends ViewRecord<View>>(
  tx: pg.PoolClient,
  statement: string,
  records: readonly R[],
  extra: (record: R) => Record<string, unknown> = () => ({}),
): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((record) => ({
    ...record.view,
    ...extra(record),
    tenant: record.tenant,
    last_commit: record.position.commit.toString(),
    last_prepare: record.position.prepare.toString(),
  }));
  await tx.query(statement, [JSON.stringify(rows)]);
}
