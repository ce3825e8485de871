import { randomUUID } from 'node:crypto';
import { DomainError } from '@iwf/contracts';
import type { NewEvent } from '@iwf/contracts';
import { migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvent, newStreamId } from '../contract/helpers.js';
import { verifyStreamChain } from './chain.js';
import { eventStoreMigrations } from './migrations.js';
import { createEventStoreTestbed } from './testing.js';
import type { EventStoreTestbed } from './testing.js';
import type pg from 'pg';

// Keys out of jsonb's order (it sorts by length, then bytes) and no spaces: jsonb would render this differently.
const unsorted = (n: number): NewEvent => newEvent('json.kept', { zeta: n, a: { list: [1, 2.5, 'x'], b: null }, ok: true });

const storedText = async (pool: pg.Pool, stream_id: string): Promise<{ data: string; metadata: string }[]> =>
  (await pool.query<{ data: string; metadata: string }>(
    'SELECT data::text AS data, metadata::text AS metadata FROM iwf_events.events WHERE stream_id = $1 ORDER BY stream_revision',
    [stream_id],
  )).rows;

const columnTypes = async (pool: pg.Pool): Promise<string[]> =>
  (await pool.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = 'iwf_events.events'::regclass AND attname IN ('data', 'metadata') ORDER BY attname`,
  )).rows.map((row) => row.type);

/** An append through the previous version's jsonb function, as a service of that version makes it. */
async function appendAsPreviousVersion(pool: pg.Pool, stream_id: string, expected: number, events: readonly NewEvent[]): Promise<number> {
  const { rows } = await pool.query<{ status: number }>('SELECT status FROM iwf_events.append($1, $2, $3, $4, $5, $6, $7, false)', [
    stream_id, expected, events.map((event) => event.event_id), events.map((event) => event.type), events.map(() => 1),
    JSON.stringify(events.map((event) => event.data)), JSON.stringify(events.map((event) => event.metadata)),
  ]);
  return rows[0]!.status;
}

describe('events keep their JSON as sent (migration 7)', () => {
  let bed: EventStoreTestbed;

  beforeAll(async () => {
    bed = await createEventStoreTestbed('event_store_json_as_sent');
  });
  afterAll(() => bed.teardown());

  it('stores each event’s data and metadata as the writer sent them, alone or batched, and the chain covers that text', async () => {
    expect(await columnTypes(bed.pool)).toEqual(['json', 'json']);
    const [alone, batched, beside] = [newStreamId(), newStreamId(), newStreamId()];
    const [first, second, third] = [[unsorted(1), unsorted(2)], [unsorted(3)], [unsorted(4), unsorted(5), unsorted(6)]];
    // One statement at a time: the first append goes alone, the two that wait for it go together.
    const store = bed.otherStore({ appendBatching: { maxInFlight: 1 } });
    await Promise.all([store.append(alone, first, 'no_stream'), store.append(batched, second, 'no_stream'), store.append(beside, third, 'no_stream')]);
    const commits = await bed.pool.query<{ tx_id: string }>('SELECT DISTINCT tx_id::text AS tx_id FROM iwf_events.events WHERE stream_id = ANY ($1)', [[alone, batched, beside]]);
    expect(commits.rows).toHaveLength(2);

    for (const [stream, events] of [[alone, first], [batched, second], [beside, third]] as const) {
      expect(await storedText(bed.pool, stream)).toEqual(events.map((event) => ({ data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) })));
      expect((await bed.store.readStream(stream)).map((event) => event.data)).toEqual(events.map((event) => event.data));
      expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: events.length });
    }
  });

  it('refuses data or metadata without one JSON element per event, writing nothing', async () => {
    const stream = newStreamId();
    const events = [unsorted(1), unsorted(2)];
    const call = (data: unknown[], metadata: unknown[]): Promise<unknown> =>
      bed.pool.query('SELECT * FROM iwf_events.append_json($1, -1, $2, $3, $4, $5, $6, false)', [
        stream, events.map((event) => event.event_id), events.map((event) => event.type), [1, 1], JSON.stringify(data), JSON.stringify(metadata),
      ]);
    await expect(call([events[0]!.data], events.map((event) => event.metadata))).rejects.toThrow(/one JSON element per event \(2 events, 1 data, 2 metadata\)/);
    await expect(call(events.map((event) => event.data), [])).rejects.toThrow(/one JSON element per event/);
    const batch = bed.pool.query('SELECT * FROM iwf_events.append_json_batch($1, $2, $3, $4, $5, $6, $7, $8)', [
      [stream], [-1], [2], events.map((event) => event.event_id), events.map((event) => event.type), [1, 1],
      JSON.stringify(events.map((event) => event.data)), JSON.stringify([events[0]!.metadata, events[1]!.metadata, {}]),
    ]);
    await expect(batch).rejects.toThrow(/one JSON element per event \(2 events, 2 data, 3 metadata\)/);
    expect(await storedText(bed.pool, stream)).toEqual([]);
  });

  it('refuses a NUL character or a lone surrogate, which no jsonb read model could take, writing nothing', async () => {
    const stream = newStreamId();
    await expect(bed.store.append(stream, [unsorted(1), newEvent('json.kept', { note: 'a\u0000b' })], 'no_stream')).rejects.toBeInstanceOf(DomainError);
    await expect(bed.store.append(stream, [newEvent('json.kept', { note: '\ud800' })], 'no_stream')).rejects.toBeInstanceOf(DomainError);
    expect(await bed.store.readStream(stream)).toEqual([]);
  });

  it('refuses, in the database too, JSON spelling a NUL or a lone surrogate, whoever writes it, and takes other escapes', async () => {
    const stream = newStreamId();
    const single = (data: string, metadata: string): Promise<unknown> =>
      bed.pool.query('SELECT * FROM iwf_events.append_json($1, -2, $2, $3, $4, $5, $6, false)', [stream, [randomUUID()], ['json.kept'], [1], data, metadata]);
    const batch = (data: string, metadata: string): Promise<unknown> =>
      bed.pool.query('SELECT * FROM iwf_events.append_json_batch($1, $2, $3, $4, $5, $6, $7, $8)', [[stream], [-2], [1], [randomUUID()], ['json.kept'], [1], data, metadata]);
    const meta = JSON.stringify([{ tenant: 'tenant-a', actor: 'user:ada', correlation_id: 'c' }]);
    for (const call of [single, batch]) {
      await expect(call('[{"note":"a\\u0000b"}]', meta)).rejects.toThrow(/unsupported Unicode escape sequence/);
      await expect(call('[{"note":"ok"}]', '[{"tenant":"tenant-a","actor":"\\ud800"}]')).rejects.toMatchObject({ detail: expect.stringMatching(/surrogate/) });
      await expect(call('[{"note":"\\udc00 alone"}]', meta)).rejects.toMatchObject({ detail: expect.stringMatching(/surrogate/) });
    }
    expect(await storedText(bed.pool, stream)).toEqual([]);
    await single('[{"pair":"\\ud83d\\ude00","letter":"\\u0041","spelled":"\\\\u0000"}]', meta);
    expect((await bed.store.readStream(stream)).map((event) => event.data)).toEqual([{ pair: '\u{1F600}', letter: 'A', spelled: '\\u0000' }]);
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 1 });
  });

  it('keeps the previous version’s jsonb functions working beside it, for a rolling upgrade', async () => {
    const stream = newStreamId();
    const events = [unsorted(1), unsorted(2)];
    expect(await appendAsPreviousVersion(bed.pool, stream, -1, events)).toBe(0);
    const more = [unsorted(3)];
    await bed.store.append(stream, more, 1);
    const stored = await storedText(bed.pool, stream);
    // The previous version stores (and hashes) jsonb's rendering of what it parsed; this one, the text as sent.
    expect(stored[0]!.data).toBe('{"a": {"b": null, "list": [1, 2.5, "x"]}, "ok": true, "zeta": 1}');
    expect(stored[2]!.data).toBe(JSON.stringify(more[0]!.data));
    expect((await bed.store.readStream(stream)).map((event) => event.data)).toEqual([...events, ...more].map((event) => event.data));
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 3 });
  });

  it('going back leaves the columns json while events hold text jsonb would change, and the previous version runs on them', async () => {
    const stream = newStreamId();
    await bed.store.append(stream, [unsorted(1)], 'no_stream');
    expect(await migrateDown(bed.pool, eventStoreMigrations, 6)).toEqual([7]);
    expect(await columnTypes(bed.pool)).toEqual(['json', 'json']);
    expect(await appendAsPreviousVersion(bed.pool, stream, 0, [unsorted(2)])).toBe(0);
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 2 });
    expect(await migrateUp(bed.pool, eventStoreMigrations)).toEqual([7]);
    await bed.store.append(stream, [unsorted(3)], 1);
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 3 });
  });
});

describe('a store upgraded to migration 7', () => {
  let bed: EventStoreTestbed;

  beforeAll(async () => {
    bed = await createEventStoreTestbed('event_store_json_upgrade');
    expect(await migrateDown(bed.pool, eventStoreMigrations, 6)).toEqual([7]);
  });
  afterAll(() => bed.teardown());

  it('keeps the events stored before it, chains intact, and goes on appending to their streams', async () => {
    expect(await columnTypes(bed.pool)).toEqual(['jsonb', 'jsonb']);
    const stream = newStreamId();
    const before = [unsorted(1), unsorted(2)];
    expect(await appendAsPreviousVersion(bed.pool, stream, -1, before)).toBe(0);
    const rendered = await storedText(bed.pool, stream);

    expect(await migrateUp(bed.pool, eventStoreMigrations)).toEqual([7]);
    expect(await columnTypes(bed.pool)).toEqual(['json', 'json']);
    expect(await storedText(bed.pool, stream)).toEqual(rendered);
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 2 });

    // Nothing stored yet that jsonb would render differently: going back restores jsonb.
    expect(await migrateDown(bed.pool, eventStoreMigrations, 6)).toEqual([7]);
    expect(await columnTypes(bed.pool)).toEqual(['jsonb', 'jsonb']);
    expect(await storedText(bed.pool, stream)).toEqual(rendered);
    expect(await migrateUp(bed.pool, eventStoreMigrations)).toEqual([7]);

    const after = [unsorted(3)];
    await bed.store.append(stream, after, 1);
    expect((await bed.store.readStream(stream)).map((event) => event.data)).toEqual([...before, ...after].map((event) => event.data));
    expect(await verifyStreamChain(bed.pool, stream)).toMatchObject({ ok: true, events: 3 });
  });
});
