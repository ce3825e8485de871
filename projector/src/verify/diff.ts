import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { ident } from '../rebuild/shadow.js';
import { LIVE_SCHEMA } from '../rebuild/retarget.js';

/** One field of one row where the live model and a fresh replay disagree. */
export interface Difference {
  readonly table: string;
  /** The row's primary key (or the whole row, for a table without one). */
  readonly key: Readonly<Record<string, unknown>>;
  /** A column, or `(row)` when the row exists on one side only. */
  readonly field: string;
  readonly live: unknown;
  readonly replayed: unknown;
}

export interface TableDiff {
  readonly table: string;
  /** Rows that differ in any way (all of them, not only those listed). */
  readonly rows: number;
  readonly differences: Difference[];
}

type Db = Pick<pg.ClientBase, 'query'>;
type Row = Record<string, unknown>;

export async function primaryKey(db: Db, table: string): Promise<string[]> {
  const result = await db.query<{ column: string }>(
    `SELECT a.attname AS column FROM pg_index i
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary
     ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [`${ident(LIVE_SCHEMA)}.${ident(table)}`],
  );
  return result.rows.map((row) => row.column);
}

/**
 * Compares a live table with its replayed copy, in the database: rows are joined on the
 * primary key and compared as jsonb, so only rows that differ travel to the client (at
 * most `limit` of them; the count covers all).
 */
export async function diffTable(db: Db, table: string, scratch: string, limit: number): Promise<TableDiff> {
  const key = await primaryKey(db, table);
  const live = `${ident(LIVE_SCHEMA)}.${ident(table)}`;
  const copy = `${ident(scratch)}.${ident(table)}`;
  const rows = key.length > 0 ? await joinedDiff(db, live, copy, key, limit) : await multisetDiff(db, live, copy, limit);
  const differences = rows.rows.flatMap((row) => fieldDifferences(table, key, row.live, row.replayed));
  return { table, rows: rows.total, differences };
}

interface DiffRows {
  readonly total: number;
  readonly rows: { live: Row | null; replayed: Row | null }[];
}

async function joinedDiff(db: Db, live: string, copy: string, key: readonly string[], limit: number): Promise<DiffRows> {
  const on = key.map((column) => `l.${ident(column)} = r.${ident(column)}`).join(' AND ');
  const order = key.map((column) => `coalesce(l.${ident(column)}, r.${ident(column)})`).join(', ');
  const result = await db.query<{ live: Row | null; replayed: Row | null; total: string }>(
    `SELECT to_jsonb(l) AS live, to_jsonb(r) AS replayed, count(*) OVER ()::text AS total
     FROM ${live} l FULL JOIN ${copy} r ON ${on}
     WHERE to_jsonb(l) IS DISTINCT FROM to_jsonb(r)
     ORDER BY ${order} LIMIT $1`,
    [limit],
  );
  return { total: Number(result.rows[0]?.total ?? 0), rows: result.rows };
}

/** Without a key, rows are compared as a multiset: surplus rows on either side are the difference. */
async function multisetDiff(db: Db, live: string, copy: string, limit: number): Promise<DiffRows> {
  const result = await db.query<{ side: 'live' | 'replayed'; row: Row; total: string }>(
    `WITH l AS (SELECT to_jsonb(t) AS row FROM ${live} t), r AS (SELECT to_jsonb(t) AS row FROM ${copy} t),
     d AS ((SELECT 'live' AS side, row FROM l EXCEPT ALL SELECT 'live', row FROM r)
           UNION ALL (SELECT 'replayed', row FROM r EXCEPT ALL SELECT 'replayed', row FROM l))
     SELECT side, row, count(*) OVER ()::text AS total FROM d ORDER BY row::text LIMIT $1`,
    [limit],
  );
  return {
    total: Number(result.rows[0]?.total ?? 0),
    rows: result.rows.map(({ side, row }) => (side === 'live' ? { live: row, replayed: null } : { live: null, replayed: row })),
  };
}

/** The fields of one differing row; a row on one side only is one `(row)` difference. */
export function fieldDifferences(table: string, key: readonly string[], live: Row | null, replayed: Row | null): Difference[] {
  const present = (live ?? replayed)!;
  const keyOf = key.length > 0 ? Object.fromEntries(key.map((column) => [column, present[column]])) : present;
  if (!live || !replayed) return [{ table, key: keyOf, field: '(row)', live, replayed }];
  const fields = [...new Set([...Object.keys(live), ...Object.keys(replayed)])].sort();
  return fields
    .filter((field) => !isDeepStrictEqual(live[field], replayed[field]))
    .map((field) => ({ table, key: keyOf, field, live: live[field], replayed: replayed[field] }));
}
