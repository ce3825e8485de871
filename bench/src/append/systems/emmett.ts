import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { endPool } from '@iwf/command-service/event-store/postgres/testing';
import pg from 'pg';
import type { BenchSystem } from './system.js';

export const emmett: BenchSystem = {
  name: 'emmett',
  description: '@event-driven-io/emmett-postgresql 0.42: appendToStream() with exact expected stream versions',
  async open(databaseUrl, writers) {
    // Its own pool of the same size, handed over so both stores get equal connections.
    const pool = new pg.Pool({ connectionString: databaseUrl, max: writers });
    const store = getPostgreSQLEventStore(databaseUrl, { connectionOptions: { pool }, schema: { autoMigration: 'CreateOrUpdate' } });
    await store.schema.migrate();
    return {
      async append(slot, events) {
        const expectedStreamVersion = slot.events_before === 0 ? STREAM_DOES_NOT_EXIST : BigInt(slot.events_before);
        await store.appendToStream(
          slot.stream_id,
          events.map((event) => ({ type: event.type, data: event.data, metadata: { ...event.metadata, messageId: event.event_id } })),
          { expectedStreamVersion },
        );
      },
      async close() {
        await store.close();
        await endPool(pool);
      },
    };
  },
};
