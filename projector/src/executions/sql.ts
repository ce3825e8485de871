import type { RecordedEvent } from '@iwf/contracts';
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
