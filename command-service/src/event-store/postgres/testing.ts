import type { EventStore, LogPosition } from '@iwf/contracts';
import { migrateUp } from '@iwf/platform/db/migrations';
import { withTransaction } from '@iwf/platform/db/transaction';
import { createTestDatabase } from '@iwf/platform/testing/database';
import type { TestDatabase } from '@iwf/platform/testing/database';
import pg from 'pg';
import { eventStoreMigrations } from './migrations.js';
import { toPosition } from './rows.js';
import { createPostgresEventStore } from './store.js';
import type { PostgresEventStoreOptions } from './store.js';

/**
 * Ends a pool and waits until each of its connections is closed: `pool.end()` resolves
 * earlier, and a database dropped WITH (FORCE) meanwhile kills them with unhandled errors.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      removed += 1;
      if (removed >= open) resolve();
    });
  });
  await pool.end();
  await closed;
}

/**
 * The newest committed event's position, whatever the horizon. The store's `headPosition()`
 * stops below the oldest running transaction of the whole server, so while another test file
 * has one open it can lag the events a test has just appended; a test that waits for "all that
 * is appended" compares with this instead.
 */
export async function newestPosition(pool: pg.Pool): Promise<LogPosition | undefined> {
  const result = await pool.query<{ tx_id: string; position: string }>(
    'SELECT e.tx_id::text AS tx_id, e.position::text AS position FROM iwf_events.events e ORDER BY e.tx_id DESC, e.position DESC LIMIT 1',
  );
  const row = result.rows[0];
  return row ? toPosition(row.tx_id, row.position) : undefined;
}

/** Runs one statement with the append-only triggers off, as a superuser intruder could. */
export async function asIntruder(pool: pg.Pool, statement: string, values: unknown[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(statement, values);
  });
}

export interface EventStoreTestbed {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  /** Another store on its own pool, as a second process would have: it shares no wake-ups. */
  otherStore(options?: Partial<PostgresEventStoreOptions>): EventStore;
  teardown(): Promise<void>;
}

/** A fresh migrated database with a store on it; teardown closes everything and drops it. */
export async function createEventStoreTestbed(label: string, options: Partial<PostgresEventStoreOptions> = {}): Promise<EventStoreTestbed> {
  const database = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: database.url, max: 24 });
  const extra: { store: EventStore; pool: pg.Pool }[] = [];
  await migrateUp(pool, eventStoreMigrations);
  const store = createPostgresEventStore({ pool, connectionString: database.url, ...options });
  return {
    database,
    pool,
    store,
    otherStore(otherOptions = {}) {
      const otherPool = new pg.Pool({ connectionString: database.url, max: 4 });
      const other = createPostgresEventStore({ pool: otherPool, connectionString: database.url, ...otherOptions });
      extra.push({ store: other, pool: otherPool });
      return other;
    },
    async teardown() {
      for (const item of [...extra, { store, pool }]) {
        await item.store.close();
        await endPool(item.pool);
      }
      await database.drop();
    },
  };
}
