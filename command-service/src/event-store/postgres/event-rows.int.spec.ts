import { migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import type { NewEvent } from '@iwf/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvents, newStreamId } from '../contract/helpers.js';
import { verifyStreamChain } from './chain.js';
import { eventStoreMigrations } from './migrations.js';
import { eventRowsMigration } from './schema/event-rows.js';
import { createEventStoreTestbed } from './testing.js';
import type { EventStoreTestbed } from './testing.js';

describe('append rows taken by index (migration 5)', () => {
  let bed: EventStoreTestbed;
  const definition = async (): Promise<string> =>
    (await bed.pool.query<{ d: string }>(`SELECT pg_get_functiondef('iwf_events.append'::regproc) AS d`)).rows[0]!.d;

  beforeAll(async () => {
    bed = await createEventStoreTestbed('event_store_event_rows');
  });
  afterAll(() => bed.teardown());

  /** A call of `iwf_events.append`, which the store itself no longer makes (migration 7) but a service of an earlier version does. */
  async function append(stream_id: string, events: readonly NewEvent[], expected: number): Promise<void> {
    const { rows } = await bed.pool.query<{ status: number }>('SELECT status FROM iwf_events.append($1, $2, $3, $4, $5, $6, $7, false)', [
      stream_id, expected, events.map((event) => event.event_id), events.map((event) => event.type), events.map(() => 1),
      JSON.stringify(events.map((event) => event.data)), JSON.stringify(events.map((event) => event.metadata)),
    ]);
    expect(rows).toEqual([{ status: 0 }]);
  }

  /** Appends three events, then two beside another stream's append, and checks data, metadata, order and chain. */
  async function appendsStoreWhatWasSent(): Promise<void> {
    const stream = newStreamId();
    const first = newEvents(3);
    const second = newEvents(2);
    await append(stream, first, -1);
    const other = newStreamId();
    await Promise.all([append(stream, second, 2), append(other, newEvents(1), -1)]);
    const stored = await bed.store.readStream(stream);
    const sent = [...first, ...second];
    expect(stored.map((event) => [event.stream_revision, event.event_id, event.data])).toEqual(sent.map((event, revision) => [revision, event.event_id, event.data]));
    expect(stored.map((event) => event.metadata.correlation_id)).toEqual(sent.map((event) => event.metadata.correlation_id));
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 5 });
  }

  it('inserts by index: each event keeps its own data and metadata, in order, and the chain holds', async () => {
    expect(await definition()).toContain('p_data -> (e.n::integer - 1)');
    expect(await definition()).not.toContain('jsonb_array_elements(p_data)');
    await appendsStoreWhatWasSent();
  });

  it('reverts to migration 2 rows and reapplies, appending correctly either way', async () => {
    expect(await migrateDown(bed.pool, eventStoreMigrations, 4)).toEqual([7, 6, 5]);
    expect(await definition()).toContain('jsonb_array_elements(p_data)');
    await appendsStoreWhatWasSent();
    expect(await migrateUp(bed.pool, eventStoreMigrations)).toEqual([5, 6, 7]);
    expect(await definition()).toContain('p_data -> (e.n::integer - 1)');
    await appendsStoreWhatWasSent();
  });

  it('keeps append_many working for a service of the previous version', async () => {
    const [left, right] = [newStreamId(), newStreamId()];
    const [one, two] = [newEvents(2), newEvents(1)];
    const all = [...one, ...two];
    const { rows } = await bed.pool.query<{ status: number; next_revision: string }>(
      'SELECT status, next_revision FROM iwf_events.append_many($1, $2, $3, $4, $5, $6, $7, $8)',
      [[left, right], [-1, -1], [2, 1], all.map((event) => event.event_id), all.map((event) => event.type), all.map(() => 1),
        JSON.stringify([one.map((event) => event.data), two.map((event) => event.data)]),
        JSON.stringify([one.map((event) => event.metadata), two.map((event) => event.metadata)])],
    );
    expect(rows).toEqual([{ status: 0, next_revision: '1' }, { status: 0, next_revision: '0' }]);
    expect((await bed.store.readStream(left)).map((event) => event.data)).toEqual(one.map((event) => event.data));
    expect(await verifyStreamChain(bed.pool, left)).toMatchObject({ ok: true, events: 2 });
    expect(await verifyStreamChain(bed.pool, right)).toMatchObject({ ok: true, events: 1 });
  });

  it('refuses to rewrite a definition that does not hold the rows it replaces, and leaves it as it was', async () => {
    const before = await definition();
    await expect(bed.pool.query(eventRowsMigration.up)).rejects.toThrow(/does not insert its rows as expected/);
    expect(await definition()).toBe(before);
  });
});
