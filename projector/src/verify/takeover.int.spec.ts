import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { projections, readModelMigrations } from '../read-models.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import { appendLoad, generateLoad } from './testing/load.js';
import type { Child } from './testing/processes.js';
import { startProjector } from './testing/processes.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('takeover');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => undefined);
  await migrateUp(pool, eventStoreMigrations);
  await migrateUp(pool, readModelMigrations);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const total = async (): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.events')).rows[0]!.n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once every projection has applied every event; fails if the child exits first. */
async function caughtUp(child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const target = await total();
    const counts = await Promise.all(projections.map(async (projection) => (await readCheckpoint(pool, projection.name))?.events_applied ?? 0));
    if (counts.every((count) => count === target)) return;
    if (Date.now() > deadline) throw new Error(`not caught up (${counts.join(', ')} of ${target}):\n${child.stderr()}`);
    await sleep(20);
  }
}

/** Which processes (by application name) hold projection locks, and how many each. */
async function lockHolders(): Promise<Record<string, number>> {
  const result = await pool.query<{ name: string; locks: number }>(
    `SELECT a.application_name AS name, count(*)::int AS locks FROM pg_locks l JOIN pg_stat_activity a USING (pid)
     WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() GROUP BY 1`,
  );
  return Object.fromEntries(result.rows.map((row) => [row.name, row.locks]));
}

describe('standby takeover', () => {
  it('a standby process takes over within seconds when the active projector is SIGKILLed', { timeout: 60_000 }, async () => {
    await appendLoad(pool, generateLoad({ tenants: 1, orders: 50, seed: 11 }));
    const active = await startProjector(db.url, { PGAPPNAME: 'projector-a' });
    await caughtUp(active, 20_000);
    const standby = await startProjector(db.url, { PGAPPNAME: 'projector-b' });
    await sleep(2_500);
    // Every projection's lock is held by the first process; the second waits.
    expect(standby.process.exitCode).toBeNull();
    expect(await lockHolders()).toEqual({ 'projector-a': projections.length });

    const killedAt = Date.now();
    active.process.kill('SIGKILL');
    expect(await active.exited).toBe('SIGKILL');
    await appendLoad(pool, generateLoad({ tenants: 1, orders: 5, seed: 12 }));
    await caughtUp(standby, 10_000);
    const takeoverMs = Date.now() - killedAt;
    expect(await lockHolders()).toEqual({ 'projector-b': projections.length });
    console.info(`standby took over and applied the new events ${takeoverMs} ms after the kill`);
    expect(takeoverMs).toBeLessThan(5_000);
    standby.process.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
  });
});
