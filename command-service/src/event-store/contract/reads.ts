import { randomUUID } from 'node:crypto';
import { START, comparePositions } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import type { FixtureAccess } from '../contract.js';
import { eventually, ids, metadata, newEvent, newEvents, newStreamId, newTypePrefix, revisions } from './helpers.js';

export function readContract(fixture: FixtureAccess): void {
  describe('readStream', () => {
    it('reads forwards, from a revision, up to a revision and a number of events', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      const appended = newEvents(6);
      await store.append(stream, appended, 'no_stream');
      expect(ids(await store.readStream(stream))).toEqual(ids(appended));
      expect(revisions(await store.readStream(stream, { from_revision: 2 }))).toEqual([2, 3, 4, 5]);
      expect(revisions(await store.readStream(stream, { to_revision: 3 }))).toEqual([0, 1, 2, 3]);
      expect(revisions(await store.readStream(stream, { from_revision: 1, to_revision: 4, max_count: 2 }))).toEqual([1, 2]);
      expect(await store.readStream(stream, { from_revision: 6 })).toEqual([]);
    });

    it('reads backwards from the end or from a revision', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await store.append(stream, newEvents(5), 'no_stream');
      expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
      expect(revisions(await store.readStream(stream, { direction: 'backwards', from_revision: 2 }))).toEqual([2, 1, 0]);
      expect(revisions(await store.readStream(stream, { direction: 'backwards', max_count: 1 }))).toEqual([4]);
    });

    it('reads a missing stream as empty', async () => {
      expect(await fixture().store.readStream(newStreamId())).toEqual([]);
    });

    it('round-trips data, metadata, type, schema version and recorded time', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      const fullMetadata = metadata({
        causation_id: randomUUID(),
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        request_id: 'req-1',
      });
      const data = { text: 'grüße ✓ "quoted" \\ back', nested: { list: [1, 2.5, null, true], empty: {} }, big: 2 ** 52 };
      const before = Date.now();
      await store.append(stream, [newEvent('contract.rich', data, { metadata: fullMetadata, schema_version: 3 }), newEvent('contract.plain')], 'any');
      const [rich, plain] = await store.readStream(stream);
      expect(rich).toMatchObject({ stream_id: stream, stream_revision: 0, type: 'contract.rich', schema_version: 3, data, metadata: fullMetadata });
      expect(plain?.schema_version).toBe(1);
      expect(rich?.recorded_at).toBeInstanceOf(Date);
      expect(Math.abs((rich?.recorded_at.getTime() ?? 0) - before)).toBeLessThan(60_000);
    });
  });

  // readAll may lag an append for as long as an older transaction anywhere in the server runs
  // (other tests, migrations); it must then catch up, which is what `eventually` waits for.
  describe('readAll', () => {
    it('returns the log in position order after a position, with its own events in append order', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const start = (await store.headPosition()) ?? START;
      const [a, b] = [newStreamId(), newStreamId()];
      const appended = [newEvents(2, `${prefix}x`), newEvents(1, `${prefix}y`), newEvents(3, `${prefix}x`)];
      await store.append(a, appended[0] ?? [], 'no_stream');
      const middle = await store.append(b, appended[1] ?? [], 'no_stream');
      await store.append(a, appended[2] ?? [], 1);

      const log = await eventually(async () => {
        const read = await store.readAll({ after: start });
        expect(ids(read.filter((event) => event.type.startsWith(prefix)))).toEqual(ids(appended.flat()));
        return read;
      });
      for (let i = 1; i < log.length; i += 1) {
        expect(comparePositions(log[i - 1]!.position, log[i]!.position)).toBe(-1);
      }
      expect(ids(await store.readAll({ after: middle.position, type_prefixes: [prefix] }))).toEqual(ids(appended[2] ?? []));
      expect(ids(await store.readAll({ after: start, type_prefixes: [prefix], max_count: 2 }))).toEqual(ids(appended[0] ?? []));
    });

    it('filters by type prefixes, taking them literally', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const start = (await store.headPosition()) ?? START;
      const wanted = [newEvent(`${prefix}a_b.one`), newEvent(`${prefix}c.two`)];
      const unwanted = [newEvent(`${prefix}aXb.one`), newEvent(`${prefix}d.three`)];
      await store.append(newStreamId(), [wanted[0]!, unwanted[0]!, wanted[1]!, unwanted[1]!], 'any');
      await eventually(async () => {
        const read = await store.readAll({ after: start, type_prefixes: [`${prefix}a_b.`, `${prefix}c`] });
        expect(ids(read)).toEqual(ids(wanted));
      });
    });

    it('headPosition is the position of the newest readable event', async () => {
      const { store } = fixture();
      const result = await store.append(newStreamId(), newEvents(2), 'any');
      const head = await eventually(async () => {
        const position = await store.headPosition();
        expect(position && comparePositions(position, result.position)).toBeGreaterThanOrEqual(0);
        return position;
      });
      expect(await store.readAll({ after: head })).toEqual([]);
    });
  });
}
