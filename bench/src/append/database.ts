import { randomBytes } from 'node:crypto';
import { dropDatabase, withAdmin } from '@iwf/platform/testing/database';

export function serverUrl(): string {
  return process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database for one system in one cell (every benchmark's), so no run inherits another's tables or bloat. */
export async function freshDatabase(system: string): Promise<BenchDatabase> {
  const name = `iwf_bench_${system}_${randomBytes(4).toString('hex')}`;
  await withAdmin(serverUrl(), (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(serverUrl(), (client) => dropDatabase(client, name)),
  };
}

/** Writes dirty pages out before a measurement, so one system does not pay for the previous one's writes. */
export async function checkpoint(): Promise<void> {
  await withAdmin(serverUrl(), (client) => client.query('CHECKPOINT'));
}

export interface ServerInfo {
  readonly version: string;
  readonly settings: Record<string, string>;
}

export async function serverInfo(): Promise<ServerInfo> {
  return withAdmin(serverUrl(), async (client) => {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const settings = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN
       ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_sync_method', 'max_wal_size', 'commit_delay', 'autovacuum', 'max_connections')`,
    );
    return {
      version: version.rows[0]?.server_version ?? 'unknown',
      settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
    };
  });
}
