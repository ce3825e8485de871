import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { approvalsMigration } from '../approvals/migrations.js';
import { ingestedEventsMigration } from '../ingested-events/migrations.js';
import { readModelMigrations } from '../read-models.js';
import { rulesMigration } from '../rules/migrations.js';
import { executionsMigration } from './migrations.js';

const ENGINE_TABLES = ['approval_role_sets', 'approvals', 'execution_counts', 'executions', 'ingested_events', 'rules'];
const ENGINE_VERSIONS = [executionsMigration, approvalsMigration, ingestedEventsMigration, rulesMigration].map((migration) => migration.version);

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('engine_migrations');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const tables = async (): Promise<string[]> =>
  (await pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'iwf_read' ORDER BY tablename")).rows.map((row) => row.tablename);

describe('engine read-model migrations', () => {
  it('are registered in the read-model set, create their tables, and go down and up again exactly', async () => {
    const registered = readModelMigrations.migrations.map((migration) => migration.version);
    expect(registered).toEqual(expect.arrayContaining(ENGINE_VERSIONS));
    expect(new Set(registered).size).toBe(registered.length);
    await migrateUp(pool, readModelMigrations);
    expect(await tables()).toEqual(expect.arrayContaining(ENGINE_TABLES));
    const below = Math.min(...ENGINE_VERSIONS) - 1;
    const newer = registered.filter((version) => version > below).sort((a, b) => b - a);
    expect(await migrateDown(pool, readModelMigrations, below)).toEqual(newer);
    expect((await tables()).filter((table) => ENGINE_TABLES.includes(table))).toEqual([]);
    expect(await migrateUp(pool, readModelMigrations)).toEqual([...newer].reverse());
    expect(await tables()).toEqual(expect.arrayContaining(ENGINE_TABLES));
  });
});
