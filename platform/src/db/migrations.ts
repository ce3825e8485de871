import type pg from 'pg';
import { inTransaction } from './transaction.js';

/** One versioned schema change; `down` undoes `up` exactly. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  readonly down: string;
}

/** A named, ordered list of migrations applied to one PostgreSQL schema. */
export interface MigrationSet {
  /** Schema that owns the tables; the ledger lives there too. */
  readonly schema: string;
  readonly migrations: readonly Migration[];
}

// One fixed key for all migration runs, so concurrent starters apply each migration once.
const MIGRATION_LOCK_KEY = 7_318_004_211;

/** Applies every pending migration of the set, in order, each in its own transaction. */
export async function migrateUp(pool: pg.Pool, set: MigrationSet, target?: number): Promise<number[]> {
  return withMigrationLock(pool, set, async (client, applied) => {
    const done: number[] = [];
    for (const migration of sorted(set)) {
      if (applied.has(migration.version) || (target !== undefined && migration.version > target)) continue;
      await inTransaction(client, async () => {
        await client.query(migration.up);
        await client.query(`INSERT INTO ${ledger(set)} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      });
      done.push(migration.version);
    }
    return done;
  });
}

/** Reverts applied migrations newer than `target` (default: all), newest first. */
export async function migrateDown(pool: pg.Pool, set: MigrationSet, target = 0): Promise<number[]> {
  return withMigrationLock(pool, set, async (client, applied) => {
    const done: number[] = [];
    for (const migration of sorted(set).reverse()) {
      if (!applied.has(migration.version) || migration.version <= target) continue;
      await inTransaction(client, async () => {
        await client.query(migration.down);
        await client.query(`DELETE FROM ${ledger(set)} WHERE version = $1`, [migration.version]);
      });
      done.push(migration.version);
    }
    return done;
  });
}

export async function appliedVersions(pool: pg.Pool, set: MigrationSet): Promise<number[]> {
  const exists = await pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [ledger(set)]);
  if (!exists.rows[0]?.found) return [];
  const result = await pool.query<{ version: number }>(`SELECT version FROM ${ledger(set)} ORDER BY version`);
  return result.rows.map((row) => row.version);
}

function sorted(set: MigrationSet): Migration[] {
  return [...set.migrations].sort((a, b) => a.version - b.version);
}

function ledger(set: MigrationSet): string {
  return `${set.schema}.schema_migrations`;
}

async function withMigrationLock<T>(
  pool: pg.Pool,
  set: MigrationSet,
  run: (client: pg.PoolClient, applied: Set<number>) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${set.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${ledger(set)} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const rows = await client.query<{ version: number }>(`SELECT version FROM ${ledger(set)}`);
    return await run(client, new Set(rows.rows.map((row) => row.version)));
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

