import { appliedVersions, migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import { describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../contract.js';
import type { EventStoreContractHooks } from '../contract.js';
import { newEvents, newStreamId } from '../contract/helpers.js';
import { append } from './append.js';
import { verifyStreamChain } from './chain.js';
import { eventStoreMigrations } from './migrations.js';
import { asIntruder, createEventStoreTestbed } from './testing.js';
import type pg from 'pg';

function postgresHooks(pool: pg.Pool): EventStoreContractHooks {
  const where = 'WHERE stream_id = $1 AND stream_revision = $2';
  return {
    async holdOpenAppend(stream_id, events) {
      const client = await pool.connect();
      await client.query('BEGIN');
      await append(client, stream_id, events, 'any');
      return {
        async commit() {
          await client.query('COMMIT');
          client.release();
        },
      };
    },
    async rewriteStoredEvent(kind, stream_id, revision) {
      switch (kind) {
        case 'update':
          await pool.query(`UPDATE iwf_events.events SET data = '{}' ${where}`, [stream_id, revision]);
          break;
        case 'delete':
          await pool.query(`DELETE FROM iwf_events.events ${where}`, [stream_id, revision]);
          break;
        case 'truncate':
          await pool.query('TRUNCATE iwf_events.events');
          break;
      }
    },
    tamperWithEvent: (stream_id, revision, data) =>
      asIntruder(pool, `UPDATE iwf_events.events SET data = $3 ${where}`, [stream_id, revision, JSON.stringify(data)]),
    verifyChain: (stream_id) => verifyStreamChain(pool, stream_id),
  };
}

describeEventStoreContract('PostgreSQL', async () => {
  const testbed = await createEventStoreTestbed('event_store_contract');
  return { store: testbed.store, hooks: postgresHooks(testbed.pool), teardown: () => testbed.teardown() };
});

describe('PostgreSQL event store migrations', () => {
  it('go down to nothing and up again, and the store works after the round trip', async () => {
    const testbed = await createEventStoreTestbed('event_store_migrations');
    const { pool, store } = testbed;
    try {
      const versions = eventStoreMigrations.migrations.map((migration) => migration.version);
      expect(await appliedVersions(pool, eventStoreMigrations)).toEqual(versions);
      await store.append(newStreamId(), newEvents(2), 'no_stream');

      expect(await migrateDown(pool, eventStoreMigrations)).toEqual([...versions].reverse());
      const left = await pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'iwf_events' AND c.relkind IN ('r', 'S', 'i') AND c.relname NOT LIKE 'schema_migrations%'
         UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'iwf_events'`,
      );
      expect(left.rows).toEqual([]);

      expect(await migrateUp(pool, eventStoreMigrations)).toEqual(versions);
      const stream = newStreamId();
      expect(await store.append(stream, newEvents(3), 'no_stream')).toMatchObject({ next_revision: 2, appended: true });
      expect(await store.readStream(stream)).toHaveLength(3);
      expect(await verifyStreamChain(pool, stream)).toMatchObject({ ok: true, events: 3 });
    } finally {
      await testbed.teardown();
    }
  });
});
