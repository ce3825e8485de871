import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
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
    await eventually(() => reach.known(), (known) => known !== undefined && comparePositions(known, reached) === 0, 10_000);
    expect(await reach.waitFor(reached, 10_000)).toBe(true);
    const head = await reach.current();
    expect(head && comparePositions(head, reached)).toBe(0);
    expect(await reach.waitFor({ commit: reached.commit + 1_000_000n, prepare: 0n }, 150)).toBe(false);
  });

  it('shares one poll among all waits: twenty waits for a position not reached read the head as often as one', async () => {
    const beyond = { commit: (await appendOne()).commit + 1_000_000n, prepare: 0n };
    const reach = logReach(pool, { pollMs: 25 });
    let queries = 0;
    const count = (): void => void (queries += 1);
    pool.on('acquire', count);
    const started = performance.now();
    try {
      const waits = await Promise.all(Array.from({ length: 20 }, () => reach.waitFor(beyond, 300)));
      expect(waits.every((answer) => answer === false)).toBe(true);
    } finally {
      pool.off('acquire', count);
    }
    // One read per poll for all twenty; a poll per wait would read about twenty times as often.
    const polls = (performance.now() - started) / 25;
    expect(queries).toBeGreaterThanOrEqual(1);
    expect(queries).toBeLessThanOrEqual(polls + 4);
  });

  it('answers a wait of 0 ms from one read, and lets a read that hangs fail instead of stalling the poll', async () => {
    const position = await appendOne();
    expect(await logReach(pool).waitFor(position, 10_000)).toBe(true); // another database's transaction may hold the horizon a moment
    expect(await logReach(pool).waitFor(position, 0)).toBe(true); // a new reach: nothing known, one read

    // A peer that takes the connection and never answers: PostgreSQL's handshake hangs.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const hung = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, max: 1 });
    hung.on('error', () => undefined);
    try {
      const reach = logReach(hung, { readTimeoutMs: 100 });
      await expect(reach.current()).rejects.toThrow(/took over 100 ms/);
      expect(await reach.waitFor(position, 300)).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await hung.end().catch(() => undefined);
    }
  });
});
