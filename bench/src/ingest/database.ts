import { randomBytes } from 'node:crypto';
import pg from 'pg';

const serverUrl = (): string => process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database per system and cell, so no measurement inherits another's log or bloat. */
export async function freshDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `iwf_bench_${label}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

/** Flushes dirty pages before a measurement, so one system does not pay for the previous one's writes. */
export const checkpoint = (): Promise<void> => withAdmin((client) => client.query('CHECKPOINT')).then(() => undefined);

export async function serverInfo(): Promise<{ version: string; settings: Record<string, string> }> {
  return withAdmin(async (client) => {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const settings = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections')",
    );
    return { version: version.rows[0]?.server_version ?? 'unknown', settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])) };
  });
}
