import pg from 'pg';
import type { EventStore, LogPosition, RecordedEvent, StreamCategory } from '@iwf/contracts';
import { comparePositions, streamId, upcastRecorded } from '@iwf/contracts';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { readModelMigrations } from '../../read-models.js';
import type { CacheUpdate, Projection } from '../../runner/projection.js';
import type { AnyEvent } from './record.js';
import { toNewEvent } from './record.js';
import { withTransaction } from '@iwf/platform/db/transaction';

/**
 * A fresh database with the PostgreSQL event store and the read models. Events are appended
 * through the store and projected in batches the way the runner commits them: one
 * transaction per batch, events in log order.
 */
export interface ReadModelHarness {
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  append(category: StreamCategory, tenant: string, id: string, events: readonly AnyEvent[], actor?: string): Promise<LogPosition>;
  /** Applies the events appended since the last call, `batchSize` per transaction. */
  project(projection: Projection, batchSize?: number): Promise<CacheUpdate[]>;
  /** Applies the whole log again, as a redelivery after a lost checkpoint would. */
  replay(projection: Projection, batchSize?: number): Promise<CacheUpdate[]>;
  close(): Promise<void>;
}

export async function createReadModelHarness(label: string): Promise<ReadModelHarness> {
  const db = await createTestDatabase(label);
  // Room for a runner per projection: each holds a connection for its lock and one per batch.
  const pool = new pg.Pool({ connectionString: db.url, max: 12 });
  // Dropping the database ends connections that are still closing; that is expected here.
  pool.on('error', () => undefined);
  await migrateUp(pool, eventStoreMigrations);
  await migrateUp(pool, readModelMigrations);
  const store = createPostgresEventStore({ pool, connectionString: db.url, onError: () => undefined });
  const reached = new Map<string, LogPosition>();
  let appended: LogPosition | undefined;

  const applyAll = async (projection: Projection, after: LogPosition | undefined, batchSize: number): Promise<CacheUpdate[]> => {
    // As the runner does: handlers see events in their current schema version.
    const events = (await readFrom(store, after, appended)).map(upcastRecorded);
    const updates: CacheUpdate[] = [];
    for (let start = 0; start < events.length; start += batchSize) {
      updates.push(...(await applyBatch(pool, projection, events.slice(start, start + batchSize))));
    }
    const last = events[events.length - 1];
    if (last) reached.set(projection.name, last.position);
    return updates;
  };

  return {
    db,
    pool,
    store,
    async append(category, tenant, id, events, actor) {
      const result = await store.append(streamId(category, tenant, id), events.map((event) => toNewEvent(tenant, event, actor)), 'any');
      if (!appended || comparePositions(result.position, appended) > 0) appended = result.position;
      return result.position;
    },
    project: (projection, batchSize = 1000) => applyAll(projection, reached.get(projection.name), batchSize),
    replay: (projection, batchSize = 1000) => applyAll(projection, undefined, batchSize),
    async close() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

/**
 * Everything after `after` up to `until`. Reads stop at the visibility horizon, which any open
 * transaction of the server holds back (other test files run beside this one), so this waits.
 */
async function readFrom(store: EventStore, after: LogPosition | undefined, until: LogPosition | undefined): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + 10_000;
  for (let from = after; ; ) {
    const page = await store.readAll({ after: from, max_count: 500 });
    events.push(...page);
    from = page[page.length - 1]?.position ?? from;
    if (!until || (from && comparePositions(from, until) >= 0)) return events;
    if (page.length === 0) {
      if (Date.now() > deadline) throw new Error('appended events did not become readable within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

const applyBatch = (pool: pg.Pool, projection: Projection, events: readonly RecordedEvent[]): Promise<CacheUpdate[]> =>
  withTransaction(pool, (client) => projection.apply(client, events));

/** Every row of a read-model table in a stable order, for comparing two runs. */
export async function dumpTable(pool: pg.Pool, table: string, order: string): Promise<unknown[]> {
  return (await pool.query<Record<string, unknown>>(`SELECT * FROM iwf_read.${table} ORDER BY ${order}`)).rows;
}
