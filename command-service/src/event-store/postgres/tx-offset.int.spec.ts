import type { RecordedEvent } from '@iwf/contracts';
import { START, comparePositions } from '@iwf/contracts';
import { migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ids, newEvents, newStreamId } from '../contract/helpers.js';
import { eventStoreMigrations } from './migrations.js';
import { createEventStoreTestbed } from './testing.js';
import type { EventStoreTestbed } from './testing.js';

// A source cluster whose transaction counter was far ahead of this one's.
const SOURCE_AHEAD = 1_000_000_000_000n;

/**
 * What a restore into another cluster looks like to the log: stored transaction ids far above
 * the cluster's own counter. Here the ids are written with a large offset and the offset is
 * then taken away, which leaves the database exactly as a backup of a cluster that was ahead
 * looks after loading it here (infra/test/backup holds the same round trip across two real
 * clusters).
 */
describe('PostgreSQL event store: transaction ids after a restore', () => {
  let bed: EventStoreTestbed;
  let restored: RecordedEvent[];
  const stream = newStreamId('restore');

  const setOffset = (offset: bigint): Promise<unknown> =>
    bed.pool.query(`CREATE OR REPLACE FUNCTION iwf_events.tx_offset() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ${offset}::bigint'`);

  beforeAll(async () => {
    bed = await createEventStoreTestbed('tx_offset');
    await setOffset(SOURCE_AHEAD);
    await bed.store.append(stream, newEvents(3), 'no_stream');
    // readAll lags while any older transaction in the server (another test's) is still open.
    restored = await eventually(async () => {
      const read = await bed.store.readAll();
      expect(read).toHaveLength(3);
      return read;
    });
    await setOffset(0n);
  });
  afterAll(() => bed.teardown());

  it('without the rebase, restored events sit beyond the visibility horizon and are never read', async () => {
    expect(restored.map((event) => event.position.commit > SOURCE_AHEAD)).toEqual([true, true, true]);
    expect(await bed.store.readAll({ after: START })).toEqual([]);
  });

  it('continue_after_restore sets the offset so the next transaction sorts after every restored event', async () => {
    const { rows } = await bed.pool.query<{ tx_offset: string; last_restored_tx: string; first_tx: string }>(
      'SELECT tx_offset::text, last_restored_tx::text, first_tx::text FROM iwf_events.continue_after_restore()',
    );
    const last = restored.at(-1)!.position.commit;
    expect(BigInt(rows[0]!.last_restored_tx)).toBe(last);
    expect(BigInt(rows[0]!.first_tx)).toBeGreaterThan(last);
    expect(BigInt(rows[0]!.tx_offset)).toBeGreaterThan(0n);
    const epochs = await bed.pool.query('SELECT epoch FROM iwf_events.tx_epochs');
    expect(epochs.rowCount).toBe(1);

    // Restored events are readable again, in their original order and positions.
    await eventually(async () => expect(await bed.store.readAll({ after: START })).toEqual(restored));
  });

  it('a subscriber resuming from its restored checkpoint receives new events, in order, none skipped', async () => {
    const checkpoint = restored.at(-1)!.position;
    const received: RecordedEvent[] = [];
    const subscription = bed.store.subscribe(async (batch) => void received.push(...batch), { after: checkpoint });
    try {
      const fresh = newEvents(2);
      const result = await bed.store.append(stream, fresh, 2);
      expect(comparePositions(result.position, checkpoint)).toBeGreaterThan(0);
      await eventually(() => expect(ids(received)).toEqual(ids(fresh)));
      expect(received.every((event) => comparePositions(event.position, checkpoint) > 0)).toBe(true);
      // The append reports the position the subscriber saw, so read-your-writes waits hold.
      expect(result.position).toEqual(received.at(-1)!.position);
    } finally {
      await subscription.stop();
    }
    await eventually(async () => expect((await bed.store.readAll()).map((event) => event.stream_revision)).toEqual([0, 1, 2, 3, 4]));
  });

  it('the migration reverts and reapplies', async () => {
    const defaultOf = async (): Promise<string> =>
      (await bed.pool.query<{ d: string }>(`SELECT pg_get_expr(d.adbin, d.adrelid) AS d FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
         WHERE d.adrelid = 'iwf_events.events'::regclass AND a.attname = 'tx_id'`)).rows[0]!.d;
    expect(await migrateDown(bed.pool, eventStoreMigrations, 2)).toEqual([7, 6, 5, 4, 3]);
    expect(await defaultOf()).toBe('pg_current_xact_id()');
    expect(await migrateUp(bed.pool, eventStoreMigrations)).toEqual([3, 4, 5, 6, 7]);
    expect(await defaultOf()).toContain('iwf_events.tx_offset()');
  });
});
