import type pg from 'pg';
import { LIVE_SCHEMA } from './retarget.js';

/**
 * Copies of a model's tables in another schema: columns, defaults, checks and key
 * constraints first (upserts need the keys while the copy fills), the other indexes after the
 * bulk of the replay, when building them once is cheaper than maintaining them row by row.
 * Names stay the same, so a swapped-in table is indistinguishable from a migrated one.
 */

type Db = Pick<pg.ClientBase, 'query'>;

const qualified = (schema: string, table: string): string => `${ident(schema)}.${ident(table)}`;

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function dropSchema(db: Db, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
}

/** A fresh schema holding empty copies of the live tables with their keys; unlogged ones skip the WAL. */
export async function prepareCopies(db: Db, tables: readonly string[], schema: string, options: { unlogged?: boolean } = {}): Promise<void> {
  await dropSchema(db, schema);
  await db.query(`CREATE SCHEMA ${ident(schema)}`);
  for (const table of tables) {
    const live = qualified(LIVE_SCHEMA, table);
    const exists = await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [live]);
    if (!exists.rows[0]?.found) throw new Error(`read-model table ${LIVE_SCHEMA}.${table} does not exist: run the migrations first`);
    await db.query(
      `CREATE ${options.unlogged ? 'UNLOGGED ' : ''}TABLE ${qualified(schema, table)} (LIKE ${live} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY
         INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)`,
    );
    const keys = await db.query<{ name: string; definition: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
      [live],
    );
    for (const key of keys.rows) await db.query(`ALTER TABLE ${qualified(schema, table)} ADD CONSTRAINT ${ident(key.name)} ${key.definition}`);
  }
}

/** Unlogged copies become ordinary tables (written to the WAL once, whole) before they can go live. */
export async function makeDurable(db: Db, tables: readonly string[], schema: string): Promise<void> {
  for (const table of tables) await db.query(`ALTER TABLE ${qualified(schema, table)} SET LOGGED`);
}

/** The live tables' other indexes, built on the copies under the same names. */
export async function addSecondaryIndexes(db: Db, tables: readonly string[], schema: string): Promise<void> {
  for (const table of tables) {
    const live = qualified(LIVE_SCHEMA, table);
    const indexes = await db.query<{ definition: string }>(
      `SELECT pg_get_indexdef(x.indexrelid) AS definition FROM pg_index x
       WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
       ORDER BY x.indexrelid`,
      [live],
    );
    for (const { definition } of indexes.rows) {
      const on = / ON (ONLY )?(\S+) USING /.exec(definition);
      if (!on?.[2]) throw new Error(`cannot read the definition of an index of ${live}: ${definition}`);
      await db.query(definition.replace(on[0], ` ON ${on[1] ?? ''}${qualified(schema, table)} USING `));
    }
  }
}

/** Whoever may read or write a live table may do the same with its copy once swapped in. */
export async function copyGrants(db: Db, tables: readonly string[], schema: string): Promise<void> {
  for (const table of tables) {
    const grants = await db.query<{ privilege: string; grantee: string }>(
      `SELECT a.privilege_type AS privilege, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee
       FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
       WHERE c.oid = $1::regclass AND a.grantee <> c.relowner`,
      [qualified(LIVE_SCHEMA, table)],
    );
    for (const { privilege, grantee } of grants.rows) await db.query(`GRANT ${privilege} ON ${qualified(schema, table)} TO ${grantee}`);
  }
}

/**
 * Moves the live tables out to `retired` and the copies in, inside the caller's transaction:
 * readers see the old tables until it commits and the new ones after, never a mix. A reader
 * blocked on the swap re-resolves the table name once it gets its lock, so it reads the new one.
 */
export async function swapIn(tx: Db, tables: readonly string[], copies: string, retired: string): Promise<void> {
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${ident(retired)}`);
  for (const table of tables) {
    await tx.query(`ALTER TABLE ${qualified(LIVE_SCHEMA, table)} SET SCHEMA ${ident(retired)}`);
    await tx.query(`ALTER TABLE ${qualified(copies, table)} SET SCHEMA ${ident(LIVE_SCHEMA)}`);
  }
}
