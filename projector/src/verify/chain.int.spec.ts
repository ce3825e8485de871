import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { asIntruder } from '@iwf/command-service/event-store/postgres/testing';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { verifyChains } from './chain.js';
import { iwf, toolingEnv } from './testing/cli.js';
import { appendLoad, generateLoad } from './testing/load.js';
import { runCli } from './testing/processes.js';

let db: TestDatabase;
let pool: pg.Pool;
let total: number;

beforeAll(async () => {
  db = await createTestDatabase('verify_chain');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrateUp(pool, eventStoreMigrations);
  total = await appendLoad(pool, generateLoad({ tenants: 2, orders: 150, seed: 5 }));
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const streamCount = async (): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.streams')).rows[0]!.n);

describe('iwf verify-chain', () => {
  it('recomputes every chain of an untouched log and finds them whole (exit 0)', async () => {
    const result = await iwf(['verify-chain'], toolingEnv(db.url));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`verified ${await streamCount()} streams, ${total} events: every chain holds\n`);
  });

  it("names the stream and revision of an event whose data a superuser changed, through the real binary (exit 1)", async () => {
    const victim = await pool.query<{ stream_id: string }>("SELECT stream_id FROM iwf_events.streams WHERE stream_id LIKE 'execution:%' ORDER BY stream_id OFFSET 40 LIMIT 1");
    const stream = victim.rows[0]!.stream_id;
    // The append-only trigger is off for the intruder's session only.
    await asIntruder(pool, `UPDATE iwf_events.events SET data = jsonb_set(data::jsonb, '{at}', '"2030-01-01T00:00:00.000Z"')::json WHERE stream_id = $1 AND stream_revision = 3`, [stream]);
    const result = await runCli(['verify-chain'], toolingEnv(db.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN ${stream} at revision 3: hash_mismatch`);
    expect(result.stdout).toContain(`verified ${await streamCount()} streams, ${total} events: 1 broken stream(s)`);
  });

  it('tells a removed event and a forged head apart, and checks one stream on request', async () => {
    const streams = await pool.query<{ stream_id: string }>("SELECT stream_id FROM iwf_events.streams WHERE stream_id LIKE 'ingest:%' ORDER BY stream_id LIMIT 2");
    const [gapped, forged] = streams.rows.map((row) => row.stream_id) as [string, string];
    await asIntruder(pool, 'DELETE FROM iwf_events.events WHERE stream_id = $1 AND stream_revision = 0', [gapped]);
    await pool.query("UPDATE iwf_events.streams SET last_hash = sha256('forged') WHERE stream_id = $1", [forged]);
    const report = await verifyChains(pool);
    expect(report.broken).toEqual(expect.arrayContaining([
      { stream_id: gapped, revision: 0, problem: 'revision_gap' },
      { stream_id: forged, revision: 0, problem: 'head_mismatch' },
    ]));
    expect(report.broken).toHaveLength(3);
    const one = await iwf(['verify-chain', '--stream', forged, '--json'], toolingEnv(db.url));
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout)).toEqual({ streams: 1, events: 1, broken: [{ stream_id: forged, revision: 0, problem: 'head_mismatch' }] });
  });
});
