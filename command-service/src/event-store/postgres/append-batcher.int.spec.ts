import { DuplicateEventIdError, WrongExpectedRevisionError } from '@iwf/contracts';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '@iwf/contracts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvent, newEvents, newStreamId, revisions } from '../contract/helpers.js';
import { createAppendBatcher } from './append-batcher.js';
import { verifyStreamChain } from './chain.js';
import { createEventStoreTestbed } from './testing.js';
import type { EventStoreTestbed } from './testing.js';

let testbed: EventStoreTestbed;
// One statement at a time: of appends started together the first goes alone and the rest share
// the next statement, so which appends share a transaction is known.
let store: EventStore;

beforeAll(async () => {
  testbed = await createEventStoreTestbed('append_batcher');
  store = testbed.otherStore({ appendBatching: { maxInFlight: 1 } });
});

afterAll(() => testbed.teardown());

interface Call {
  readonly stream_id: string;
  readonly events: NewEvent[];
  readonly expected: ExpectedRevision;
}

const together = (calls: readonly Call[]): Promise<PromiseSettledResult<AppendResult>[]> =>
  Promise.allSettled(calls.map((call) => store.append(call.stream_id, call.events, call.expected)));

const fulfilled = (settled: PromiseSettledResult<AppendResult>): AppendResult => {
  if (settled.status === 'rejected') throw settled.reason;
  return settled.value;
};

const commitOf = (settled: PromiseSettledResult<AppendResult>): bigint => fulfilled(settled).position.commit;

describe('group commit of concurrent appends', () => {
  it('writes appends that queued meanwhile in one transaction, each with its own revisions and a whole chain', async () => {
    const streams = Array.from({ length: 20 }, () => newStreamId('batch'));
    const settled = await together(streams.map((stream_id, index) => ({ stream_id, events: newEvents(1 + (index % 3)), expected: 'no_stream' as const })));

    expect(settled.map((result) => fulfilled(result))).toMatchObject(streams.map((_, index) => ({ next_revision: index % 3, appended: true })));
    const [first, ...rest] = settled;
    expect(new Set(rest.map(commitOf)).size).toBe(1);
    expect(commitOf(rest[0]!)).not.toBe(commitOf(first!));
    // Each answer's position is its own last event, as a single append reports.
    for (const [index, stream_id] of streams.entries()) {
      const read = await store.readStream(stream_id);
      expect(revisions(read)).toEqual(Array.from({ length: 1 + (index % 3) }, (_, n) => n));
      expect(read.at(-1)!.position).toEqual(fulfilled(settled[index]!).position);
      expect(await verifyStreamChain(testbed.pool, stream_id)).toMatchObject({ ok: true });
    }
  });

  it('refuses a wrong expected revision for that append only', async () => {
    const stale = newStreamId('batch');
    await store.append(stale, newEvents(2), 'no_stream');
    const others = [newStreamId('batch'), newStreamId('batch')];
    const settled = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'no_stream' },
      { stream_id: others[0]!, events: newEvents(1), expected: 'no_stream' },
      { stream_id: stale, events: newEvents(1), expected: 0 },
      { stream_id: others[1]!, events: newEvents(2), expected: 'no_stream' },
    ]);

    expect(settled[2]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ actual: 1 });
    expect(commitOf(settled[1]!)).toBe(commitOf(settled[3]!));
    expect(await store.readStream(stale)).toHaveLength(2);
    expect(await store.readStream(others[1]!)).toHaveLength(2);
  });

  it('runs two appends to one stream in arrival order, and refuses the second of two expecting the same revision', async () => {
    const stream_id = newStreamId('batch');
    const [a, b, c, d] = [newEvent(), newEvent(), newEvent(), newEvent()];
    const inOrder = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id, events: [a], expected: 'no_stream' },
      { stream_id, events: [b], expected: 0 },
    ]);
    expect(inOrder.slice(1).map((result) => fulfilled(result).next_revision)).toEqual([0, 1]);
    expect(commitOf(inOrder[1]!)).toBe(commitOf(inOrder[2]!));

    const racing = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id, events: [c], expected: 1 },
      { stream_id, events: [d], expected: 1 },
    ]);
    expect(fulfilled(racing[1]!)).toMatchObject({ next_revision: 2, appended: true });
    expect(racing[2]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
    expect((await store.readStream(stream_id)).map((event) => event.event_id)).toEqual([a, b, c].map((event) => event.event_id));
  });

  it('answers a repeated append inside a batch with the original result, and still writes the rest', async () => {
    const landed = newStreamId('batch');
    const events = newEvents(2);
    const original = await store.append(landed, events, 'no_stream');
    const fresh = [newStreamId('batch'), newStreamId('batch')];
    // Its stream has moved past no_stream, so the statement looks its ids up and answers the original result.
    const settled = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id: fresh[0]!, events: newEvents(1), expected: 'no_stream' },
      { stream_id: landed, events, expected: 'no_stream' },
      { stream_id: fresh[1]!, events: newEvents(1), expected: 'no_stream' },
    ]);

    expect(fulfilled(settled[2]!)).toEqual({ ...original, appended: false });
    expect(fulfilled(settled[1]!)).toMatchObject({ next_revision: 0, appended: true });
    expect(fulfilled(settled[3]!)).toMatchObject({ next_revision: 0, appended: true });
    expect(await store.readStream(landed)).toHaveLength(2);
  });

  it('answers an append repeated in the same statement with the first one\'s result, and reports the later appends where they landed', async () => {
    const [stream, later] = [newStreamId('batch'), newStreamId('batch')];
    const events = newEvents(2);
    const settled = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id: stream, events, expected: 'no_stream' },
      { stream_id: stream, events, expected: 'no_stream' },
      { stream_id: later, events: newEvents(3), expected: 'no_stream' },
    ]);

    const first = fulfilled(settled[1]!);
    expect(first).toMatchObject({ next_revision: 1, appended: true });
    expect(fulfilled(settled[2]!)).toEqual({ ...first, appended: false });
    expect(commitOf(settled[3]!)).toBe(first.position.commit);
    expect((await store.readStream(stream)).at(-1)!.position).toEqual(first.position);
    const laterEvents = await store.readStream(later);
    expect(revisions(laterEvents)).toEqual([0, 1, 2]);
    expect(laterEvents.at(-1)!.position).toEqual(fulfilled(settled[3]!).position);
    expect(await verifyStreamChain(testbed.pool, later)).toMatchObject({ ok: true, events: 3 });
  });

  it('lets one of two appends carrying the same event id to different streams land, and refuses the other', async () => {
    const shared = newEvent();
    const [left, right] = [newStreamId('batch'), newStreamId('batch')];
    const settled = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id: left, events: [shared], expected: 'no_stream' },
      { stream_id: right, events: [shared], expected: 'no_stream' },
    ]);

    const outcomes = settled.slice(1);
    expect(outcomes.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((result) => result.status === 'rejected')).toMatchObject({ reason: expect.any(DuplicateEventIdError) });
    const stored = [...(await store.readStream(left)), ...(await store.readStream(right))];
    expect(stored.map((event) => event.event_id)).toEqual([shared.event_id]);
  });

  it('refuses invalid input at once, without touching the appends it was queued with', async () => {
    const valid = newStreamId('batch');
    const settled = await together([
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id: valid, events: newEvents(1), expected: 'no_stream' },
      { stream_id: '', events: newEvents(1), expected: 'any' },
      { stream_id: newStreamId('batch'), events: [], expected: 'any' },
      { stream_id: newStreamId('batch'), events: [{ ...newEvent(), event_id: 'not-a-uuid' }], expected: 'any' },
    ]);

    expect(settled.slice(2).map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(settled.slice(2)).toMatchObject([0, 1, 2].map(() => ({ reason: { code: 'validation' } })));
    expect(fulfilled(settled[1]!)).toMatchObject({ next_revision: 0, appended: true });
  });

  it('keeps a statement within its event limit and sends a larger append alone', async () => {
    const small = createAppendBatcher(testbed.pool, { maxInFlight: 1, maxAppends: 64, maxEvents: 5 });
    const calls = [1, 2, 2, 2, 7].map((count) => ({ stream_id: newStreamId('batch'), events: newEvents(count) }));
    const results = await Promise.all(calls.map((call) => small.append(call.stream_id, call.events, 'no_stream')));

    // First alone; then 2 + 2 (a third 2 would pass 5 events); then 2; then the 7 alone.
    const commits = results.map((result) => result.position.commit);
    expect(commits[1]).toBe(commits[2]);
    expect(new Set(commits).size).toBe(4);
    expect(results.map((result) => result.next_revision)).toEqual([0, 1, 1, 1, 6]);
  });

  it('lets a writer it has just answered join the appends already waiting for the next statement', async () => {
    const append = (): Promise<AppendResult> => store.append(newStreamId('batch'), newEvents(1), 'no_stream');
    // The first goes alone; its caller does a little asynchronous work of its own (a few promise
    // hops, as a command handler does) and appends again.
    const again = (async () => {
      await append();
      for (let hop = 0; hop < 10; hop++) await Promise.resolve();
      return append();
    })();
    const waiting = [append(), append()];

    const commits = (await Promise.all([...waiting, again])).map((result) => result.position.commit);
    expect(new Set(commits).size).toBe(1);
  });

  it('shares the waiting appends evenly between the statements that are free', async () => {
    // The real pool, with the answers of the first two statements held back and then given
    // together, so both slots are free when the six waiting appends are taken.
    const held: (() => void)[] = [];
    const gated = {
      query: async (config: unknown) => {
        const result = await testbed.pool.query(config as pg.QueryConfig);
        if (held.length < 2) {
          await new Promise<void>((release) => {
            held.push(release);
            if (held.length === 2) held.forEach((go) => go());
          });
        }
        return result;
      },
    } as unknown as pg.Pool;
    const batcher = createAppendBatcher(gated, { maxInFlight: 2, maxAppends: 64, maxEvents: 1_000 });
    const results = await Promise.all(Array.from({ length: 8 }, () => batcher.append(newStreamId('batch'), newEvents(1), 'no_stream')));

    const commits = results.map((result) => result.position.commit);
    expect(new Set(commits.slice(0, 2)).size).toBe(2);
    expect(new Set(commits.slice(2, 5)).size).toBe(1);
    expect(new Set(commits.slice(5)).size).toBe(1);
    expect(commits[2]).not.toBe(commits[5]);
  });

  it('holds an append to a stream whose earlier append is still running, even with a statement free', async () => {
    // The real pool; the first statement is sent 50 ms late, long enough for a second statement to overtake it.
    let calls = 0;
    const late = {
      query: async (config: pg.QueryConfig) => {
        if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        return testbed.pool.query(config);
      },
    } as unknown as pg.Pool;
    const batcher = createAppendBatcher(late, { maxInFlight: 2, maxAppends: 64, maxEvents: 1_000 });
    const stream_id = newStreamId('batch');
    const [first, second] = [newEvent(), newEvent()];

    const results = await Promise.all([batcher.append(stream_id, [first], 'no_stream'), batcher.append(stream_id, [second], 0)]);
    expect(results.map((result) => result.next_revision)).toEqual([0, 1]);
    expect((await store.readStream(stream_id)).map((event) => event.event_id)).toEqual([first.event_id, second.event_id]);
  });

  it('replays a failed statement one stream at a time, in arrival order', async () => {
    const landed = newStreamId('batch');
    const events = newEvents(1);
    await store.append(landed, events, 'no_stream');
    const stream_id = newStreamId('batch');
    const appends = [newEvent(), newEvent(), newEvent()];
    // The real pool; the replay of the stream's first append is sent 50 ms late, long enough for
    // the others to overtake it if they went side by side.
    const lateFirst = {
      query: async (config: pg.QueryConfig) => {
        if (config.name === 'iwf_events_append' && config.values?.[0] === stream_id && config.values[1] === -1) await new Promise((resolve) => setTimeout(resolve, 50));
        return testbed.pool.query(config);
      },
    } as unknown as pg.Pool;
    const batcher = createAppendBatcher(lateFirst, { maxInFlight: 1, maxAppends: 64, maxEvents: 1_000 });
    // The repeated append's ids fail the shared statement; its three appends to one stream then go one by one.
    const calls: Call[] = [
      { stream_id: newStreamId('batch'), events: newEvents(1), expected: 'any' },
      { stream_id: landed, events, expected: 'any' },
      ...appends.map((event, revision) => ({ stream_id, events: [event], expected: revision === 0 ? ('no_stream' as const) : revision - 1 })),
    ];
    const settled = await Promise.allSettled(calls.map((call) => batcher.append(call.stream_id, call.events, call.expected)));

    expect(fulfilled(settled[1]!).appended).toBe(false);
    expect(settled.slice(2).map((result) => fulfilled(result).next_revision)).toEqual([0, 1, 2]);
    expect((await store.readStream(stream_id)).map((event) => event.event_id)).toEqual(appends.map((event) => event.event_id));
  });

  it('does not deadlock two stores appending in batches to the same streams', async () => {
    const other = testbed.otherStore({ appendBatching: { maxInFlight: 2 } });
    const streams = Array.from({ length: 6 }, () => newStreamId('batch'));
    const writer = async (target: EventStore, seed: number): Promise<number> => {
      let written = 0;
      for (let round = 0; round < 15; round++) {
        const picks = streams.filter((_, index) => (index + round + seed) % 2 === 0);
        await Promise.all(picks.map(async (stream_id) => void (await target.append(stream_id, newEvents(1), 'any'))));
        written += picks.length;
      }
      return written;
    };
    const written = await Promise.all([writer(store, 0), writer(other, 1), writer(store, 2), writer(other, 3)]);

    const stored = await Promise.all(streams.map((stream_id) => store.readStream(stream_id)));
    expect(stored.reduce((sum, events) => sum + events.length, 0)).toBe(written.reduce((sum, n) => sum + n, 0));
    for (const [index, events] of stored.entries()) {
      expect(revisions(events)).toEqual(events.map((_, n) => n));
      expect(await verifyStreamChain(testbed.pool, streams[index]!)).toMatchObject({ ok: true });
    }
  });

  it('refuses settings that could never send anything', () => {
    expect(() => createAppendBatcher(testbed.pool, { maxInFlight: 0, maxAppends: 1, maxEvents: 1 })).toThrow(/at least one/);
    expect(() => createAppendBatcher(testbed.pool, { maxInFlight: 1, maxAppends: 1, maxEvents: Number.NaN })).toThrow(/at least one/);
  });
});
