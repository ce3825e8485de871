import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests run against: the local PostgreSQL unless TEST_DATABASE_URL names another. */
export function testServerUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file; `drop` removes it even with open connections. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `iwf_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const server = testServerUrl();
  await withAdmin(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(server, (client) => dropDatabase(client, name)),
  };
}

/** Drops a database from an admin session, once sessions that are already closing have gone (see `settle`). */
export async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  await settle(admin, name);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Waits a little for sessions that are already closing: a pool's `end()` resolves before its sockets close,
 * and a session terminated mid-close reaches that pool as an unhandled error. Whatever is still open after
 * the wait is really left open, and the forced drop ends it.
 */
async function settle(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const open = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (open.rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `run` on a fresh connection to `url` (a maintenance or a test database), closed afterwards. */
export async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
