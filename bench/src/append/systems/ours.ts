import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { endPool } from '@iwf/command-service/event-store/postgres/testing';
import { migrateUp } from '@iwf/platform/db/migrations';
import pg from 'pg';
import type { BenchSystem } from './system.js';

export const ours: BenchSystem = {
  name: 'ours',
  description: 'iwf PostgreSQL event store: append() with exact expected revisions',
  async open(databaseUrl, writers) {
    // One connection per writer plus one for the coalesced NOTIFY after appends.
    const pool = new pg.Pool({ connectionString: databaseUrl, max: writers + 1 });
    await migrateUp(pool, eventStoreMigrations);
    const store = createPostgresEventStore({ pool, connectionString: databaseUrl });
    return {
      async append(slot, events) {
        const expected = slot.events_before === 0 ? 'no_stream' : slot.events_before - 1;
        await store.append(slot.stream_id, events, expected);
      },
      async close() {
        await store.close();
        await endPool(pool);
      },
    };
  },
};
