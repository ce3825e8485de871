import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions } from '@iwf/contracts';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { logReach } from '@iwf/query-service/positions/log';
import { eventually } from '../runner/testing/fixture.js';

describe('log reach (audit reads, query service)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: ReturnType<typeof createPostgresEventStore>;

  const appendOne = async () => {
    const metadata = { tenant: 't', actor: 'a', correlation_id: 'c', causation_id: 'c' };
    return (await store.append(`log-reach-${randomUUID()}`, [{ event_id: randomUUID(), type: 'Noted', schema_version: 1, data: {}, metadata }], 'no_stream')).position;
  };

  beforeAll(async () => {
    db = await createTestDatabase('log_reach');
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrateUp(pool, eventStoreMigrations);
    store = createPostgresEventStore({ pool });
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('answers every wait that the head reaches, and only those', async () => {
    const reached = await appendOne();
    const reach = logReach(pool);
    expect(reach.known()).toBeUndefined(); // nothing read yet; asking starts a read
    await eventually(() => reach.known(), (known) => known !== undefined && comparePositions(known, reached) === 0, 2_000);
    expect(await reach.waitFor(reached, 2_000)).toBe(true);
    const head = await reach.current();
    expect(head && comparePositions(head, reached)).toBe(0);
    expect(await reach.waitFor({ commit: reached.commit + 1_000_000n, prepare: 0n }, 150)).toBe(false);
  });

  it('shares one poll among all waits: twenty waits for a position not reached read the head as often as one', async () => {
    const beyond = { commit: (await appendOne()).commit + 1_000_000n, prepare: 0n };
    const reach = logReach(pool, 25);
    let queries = 0;
    const count = (): void => void (queries += 1);
    pool.on('acquire', count);
    try {
      const waits = await Promise.all(Array.from({ length: 20 }, () => reach.waitFor(beyond, 300)));
      expect(waits.every((answer) => answer === false)).toBe(true);
    } finally {
      pool.off('acquire', count);
    }
    // One read per 25 ms for 300 ms is about 12 (one poll for all); a poll per wait would be about 240.
    expect(queries).toBeGreaterThan(3);
    expect(queries).toBeLessThanOrEqual(20);
  });
});
