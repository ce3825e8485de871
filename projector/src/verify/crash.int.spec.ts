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
import { CHILD_APPLICATION_NAME, runCli, startProjector } from './testing/processes.js';
import { createTallyTable, readTally } from './testing/tally.js';

/**
 * The projector is SIGKILLed at random moments while a generated load of over 100,000
 * events is appended; then the read models must equal a fresh replay (`iwf verify --all`)
 * and no event may have been applied twice (the checkpoints' counters and the tally).
 */
const KILLS = 24;
let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('crash_all');
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => undefined);
  await migrateUp(pool, eventStoreMigrations);
  await migrateUp(pool, readModelMigrations);
  await createTallyTable(pool);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const eventCount = async (): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.events')).rows[0]!.n);
const applied = async (name: string): Promise<number> => (await readCheckpoint(pool, name))?.events_applied ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A fixed sequence, so a failure can be replayed; the moments still fall anywhere in a batch.
let seed = 7;
const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

/** Kills the child after a while; true when one of its transactions was open just before. */
async function killWhileRunning(child: Child, afterMs: number): Promise<boolean> {
  const exit = await Promise.race([child.exited, sleep(afterMs).then(() => undefined)]);
  if (exit !== undefined) throw new Error(`projector exited (${String(exit)}) before it was killed:\n${child.stderr()}`);
  const open = await pool.query(
    'SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND xact_start IS NOT NULL',
    [CHILD_APPLICATION_NAME],
  );
  child.process.kill('SIGKILL');
  expect(await child.exited).toBe('SIGKILL');
  return (open.rowCount ?? 0) > 0;
}

describe('crash test', () => {
  it(`survives ${KILLS} SIGKILLs during a load of over 100,000 events: no drift, nothing applied twice`, { timeout: 300_000 }, async () => {
    const started = Date.now();
    let loading = true;
    // About 108,000 events, spread over most of the killing.
    const load = appendLoad(pool, generateLoad({ tenants: 6, orders: 1_800, seed: 3 }), { chunk: 60, connections: 2, pauseMs: 170 }).finally(() => (loading = false));
    let kills = 0;
    let killedWhileLoading = 0;
    let midTransaction = 0;
    while (kills < KILLS) {
      const child = await startProjector(db.url, { IWF_TALLY: '1', IWF_BATCH_SIZE: '300' });
      if (await killWhileRunning(child, 700 + random() * 1_800)) midTransaction++;
      kills++;
      if (loading) killedWhileLoading++;
    }
    const total = await load;
    expect(total).toBeGreaterThanOrEqual(100_000);
    expect(killedWhileLoading).toBeGreaterThanOrEqual(10);
    expect(midTransaction).toBeGreaterThanOrEqual(5);
    expect(await eventCount()).toBe(total);

    const loaded = Date.now();
    const last = await startProjector(db.url, { IWF_TALLY: '1', IWF_BATCH_SIZE: '2000' });
    const names = [...projections.map((projection) => projection.name), 'tally'];
    for (const name of names) {
      for (let waited = 0; (await applied(name)) < total; waited += 100) {
        if (waited > 120_000) throw new Error(`${name} applied ${await applied(name)} of ${total} events:\n${last.stderr()}`);
        await sleep(100);
      }
    }
    last.process.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    // Every checkpoint counted every event exactly once; the unguarded tally saw each once.
    for (const name of names) expect(await applied(name), name).toBe(total);
    expect(await readTally(pool)).toEqual({ events: total, max: 1, min: 1 });

    const verify = await runCli(['verify', '--all'], { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:6379/12' });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    for (const projection of projections) expect(verify.stdout).toContain(`${projection.name}: no drift (${total} events replayed`);
    const seconds = (from: number): number => Math.round((Date.now() - from) / 1000);
    console.info(`crash test: ${total} events, ${kills} kills (${killedWhileLoading} while loading, ${midTransaction} with a transaction open), ${seconds(started)} s (after the load: ${seconds(loaded)} s)`);
  });
});
