import type pg from 'pg';
import type { Page } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';

/**
 * Keyset pagination over (time, id) shared by the engine's read models: newest first unless
 * `order=asc`, and an opaque cursor holding the last item's key.
 */
export type Queryable = Pick<pg.ClientBase, 'query'>;

export const MAX_LIMIT = 500;

export interface ListOptions {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
}

/** WHERE clauses with numbered parameters; every list starts from the tenant. */
export class Filters {
  readonly params: unknown[];
  private readonly clauses: string[] = ['tenant = $1'];

  constructor(tenant: string) {
    this.params = [tenant];
  }

  /** Adds a clause built around the placeholder of `value`. */
  add(sql: (placeholder: string) => string, value: unknown): this {
    this.clauses.push(sql(this.param(value)));
    return this;
  }

  /** Adds a clause without a parameter. */
  require(sql: string): this {
    this.clauses.push(sql);
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get where(): string {
    return this.clauses.join(' AND ');
  }
}

export interface KeysetSpec<Row, View> {
  readonly table: string;
  readonly columns: string;
  /** The timestamptz column items are ordered by, then the id column breaking ties. */
  readonly time: string;
  readonly id: string;
  readonly toView: (row: Row) => View;
  readonly keyOf: (view: View) => readonly [time: string, id: string];
}

export async function keysetPage<Row extends pg.QueryResultRow, View>(
  db: Queryable,
  spec: KeysetSpec<Row, View>,
  filters: Filters,
  options: ListOptions,
): Promise<Page<View>> {
  checkLimit(options.limit);
  const desc = options.order !== 'asc';
  if (options.cursor !== undefined) {
    const [time, id] = decodeCursor(options.cursor, timeAndId);
    filters.add((p) => `(${spec.time}, ${spec.id}) ${desc ? '<' : '>'} (${p}::timestamptz, ${filters.param(id)})`, time);
  }
  const direction = desc ? 'DESC' : 'ASC';
  const limit = filters.param(options.limit + 1);
  const result = await db.query<Row>(
    `SELECT ${spec.columns} FROM ${spec.table} WHERE ${filters.where}
     ORDER BY ${spec.time} ${direction}, ${spec.id} ${direction} LIMIT ${limit}`,
    filters.params,
  );
  return pageOf(result.rows.map(spec.toView), options.limit, spec.keyOf);
}

/** The first `limit` items and, when more follow, the cursor after the last one shown. */
export function pageOf<View>(views: readonly View[], limit: number, keyOf: (view: View) => CursorKey): Page<View> {
  const items = views.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: views.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new DomainError('validation', 'The request is invalid.', [{ pointer: '/querystring/limit', message: `must be an integer from 1 to ${MAX_LIMIT}` }]);
  }
}

/** The sort key of the last item shown, which a cursor carries. */
export type CursorKey = readonly (string | number)[];

// base64url of a JSON array of the last item's sort key: opaque to clients, checked on return.
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key in a cursor this service issued, as `accept` reads it; a cursor that is not base64url
 * JSON of an array, or whose key `accept` refuses (undefined), is the client's mistake: a
 * validation error at `pointer`.
 */
export function decodeCursor<Key>(cursor: string, accept: (key: unknown[]) => Key | undefined, pointer = '/querystring/cursor'): Key {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Falls through to the validation error below.
  }
  const accepted = Array.isArray(key) ? accept(key as unknown[]) : undefined;
  if (accepted !== undefined) return accepted;
  throw new DomainError('validation', 'The request is invalid.', [{ pointer, message: 'is not a cursor this list issued' }]);
}

// Years 1 to 9999: every such time is a PostgreSQL timestamptz, and JavaScript renders it in
// this form. Wider years, or a date JavaScript rolls over (February 30th), would reach the
// database and fail there as a 500.
const FIRST_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function inRange(date: Date): boolean {
  const time = date.getTime();
  return time >= FIRST_TIME && time <= LAST_TIME;
}

function timeAndId([time, id, ...rest]: unknown[]): [string, string] | undefined {
  if (typeof time !== 'string' || typeof id !== 'string' || rest.length > 0 || id.includes('\u0000')) return undefined;
  // Exactly as encodeCursor wrote it: an issued cursor holds a time this service rendered.
  const date = new Date(time);
  return inRange(date) && date.toISOString() === time ? [time, id] : undefined;
}

/** An ISO timestamp from a query string as a Date, or a validation error naming the field. */
export function timeFilter(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || !inRange(date)) {
    throw new DomainError('validation', 'The request is invalid.', [{ pointer: `/querystring/${name}`, message: 'must be an ISO-8601 timestamp between the years 1 and 9999' }]);
  }
  return date;
}
