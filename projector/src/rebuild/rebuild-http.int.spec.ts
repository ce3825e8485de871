import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@iwf/platform/auth/jwt';
import { projections } from '../read-models.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import { eventually } from '../runner/testing/fixture.js';
import type { ApiClient } from '../runtime/testing/http.js';
import { apiClient } from '../runtime/testing/http.js';
import { TEST_JWT_SECRET } from '../runtime/testing/system.js';
import { iwf } from '../verify/testing/cli.js';
import { appendLoad, generateLoad } from '../verify/testing/load.js';
import type { QuerySystem } from './testing/query-system.js';
import { startQuerySystem } from './testing/query-system.js';

/**
 * `iwf rebuild --all` while a client reads through the HTTP API without pause: every answer
 * must be a 200 equal to the answer before the rebuild (the tenant read is not written to
 * meanwhile; another tenant is), so a half-built model or a failed read would show.
 */
const REDIS_URL = 'redis://127.0.0.1:6379/12';
const READS = ['/workflows?limit=500', '/executions?limit=500', '/approvals?limit=500', '/events?limit=500', '/rules', '/analytics/summary?time_range=7d'];
let system: QuerySystem;
let pool: pg.Pool;
let api: ApiClient;

const total = async (): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.events')).rows[0]!.n);
async function caughtUp(): Promise<void> {
  const target = await total();
  for (const projection of projections) await eventually(async () => (await readCheckpoint(pool, projection.name))?.events_applied, (applied) => applied === target, 60_000);
}

beforeAll(async () => {
  system = await startQuerySystem('rebuild_http');
  pool = new pg.Pool({ connectionString: system.db.url, max: 4 });
  const from = new Date(Date.now() - 48 * 3_600_000).toISOString();
  await appendLoad(pool, generateLoad({ tenants: 1, orders: 400, seed: 21, from }));
  await caughtUp();
  api = apiClient(system.app, await mintToken(TEST_JWT_SECRET, { tenant: 'load-21-0', actor: 'reader', roles: ['admin'] }));
});

afterAll(async () => {
  await pool.end();
  await system.close();
});

/** An answer without the window of an analytics answer, which moves with the clock. */
function comparable(body: unknown): unknown {
  const { from: _from, to: _to, ...rest } = body as Record<string, unknown>;
  return rest;
}

async function snapshot(): Promise<unknown[]> {
  return Promise.all(READS.map(async (path) => comparable((await api.get(path)).json())));
}



describe('rebuild under live query load', () => {
  it('readers see complete, unchanged answers and no error while every model is rebuilt and swapped', { timeout: 120_000 }, async () => {
    const before = await snapshot();
    expect((before[1] as { items: unknown[] }).items).toHaveLength(400);
    let reading = true;
    const problems: string[] = [];
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        for (const [index, path] of READS.entries()) {
          const reply = await api.get(path);
          reads++;
          if (reply.statusCode !== 200) problems.push(`${path}: ${reply.statusCode} ${reply.body}`);
          else if (!isDeepStrictEqual(comparable(reply.json()), before[index])) problems.push(`${path}: the answer changed`);
        }
      }
    })();
    const writer = appendLoad(pool, generateLoad({ tenants: 1, orders: 300, seed: 22, from: new Date().toISOString() }), { chunk: 20, connections: 1, pauseMs: 20 });

    const rebuilt = await iwf(['rebuild', '--all'], { DATABASE_URL: system.db.url, REDIS_URL });
    await writer;
    await caughtUp();
    reading = false;
    await reader;

    expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
    expect(rebuilt.stdout.match(/^rebuilt /gm)).toHaveLength(projections.length);
    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(50);
    expect(await snapshot()).toEqual(before);
    const verify = await iwf(['verify', '--all'], { DATABASE_URL: system.db.url, REDIS_URL });
    expect(verify.code, verify.stdout).toBe(0);
    console.info(`rebuild under load: ${reads} reads, none failed or partial`);
  });
});
