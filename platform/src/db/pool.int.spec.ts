import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testServerUrl } from '../testing/database.js';
import { ensureDatabase } from './pool.js';

const name = `iwf_t_ensure_${randomBytes(4).toString('hex')}`;
const url = new URL(testServerUrl());
url.pathname = `/${name}`;

afterAll(async () => {
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('ensureDatabase', () => {
  it('creates a missing database once when several processes start together', async () => {
    await Promise.all(Array.from({ length: 6 }, () => ensureDatabase(url.toString())));
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const result = await client.query<{ name: string }>('SELECT current_database() AS name');
    await client.end();
    expect(result.rows[0]?.name).toBe(name);
  });

  it('refuses a database name it would have to quote', async () => {
    const bad = new URL(url);
    bad.pathname = '/bad;name';
    await expect(ensureDatabase(bad.toString())).rejects.toThrow(/unsupported database name/);
  });
});
