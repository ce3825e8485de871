import { DuplicateEventIdError } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import type { FixtureAccess } from '../contract.js';
import { ids, newEvent, newEvents, newStreamId, revisions, settle } from './helpers.js';

export function idempotencyContract(fixture: FixtureAccess): void {
  describe('idempotency by event id', () => {
    it('a repeated append writes nothing and returns the original result', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await store.append(stream, newEvents(1), 'no_stream');
      const batch = newEvents(2);
      const first = await store.append(stream, batch, 0);
      await store.append(stream, newEvents(1), 2);
      // The retry carries the revision it expected the first time; that is stale now.
      const again = await store.append(stream, batch, 0);
      const anyAgain = await store.append(stream, batch, 'any');
      expect(first).toMatchObject({ next_revision: 2, appended: true });
      expect(again).toEqual({ ...first, appended: false });
      expect(anyAgain).toEqual({ ...first, appended: false });
      expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2, 3]);
    });

    it('an event id already used in another stream is a duplicate', async () => {
      const { store } = fixture();
      const event = newEvent();
      await store.append(newStreamId(), [event], 'any');
      const other = newStreamId();
      await expect(store.append(other, [event], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(store.append(other, [newEvent(), event], 'no_stream')).rejects.toMatchObject({
        code: 'duplicate_event_id',
        event_id: event.event_id,
      });
      expect(await store.readStream(other)).toEqual([]);
    });

    it('an event id reused for a different event type in the same stream is a duplicate', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      const event = newEvent('contract.first');
      await store.append(stream, [event], 'no_stream');
      await expect(store.append(stream, [{ ...event, type: 'contract.other' }], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
    });

    it('a batch that repeats an id of its own is refused', async () => {
      const { store } = fixture();
      const event = newEvent();
      await expect(store.append(newStreamId(), [event, event], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
    });

    it('a batch only partly appended before is a duplicate and writes nothing', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      const [old, fresh] = newEvents(2);
      await store.append(stream, [old!], 'no_stream');
      await expect(store.append(stream, [old!, fresh!], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(ids(await store.readStream(stream))).toEqual([old!.event_id]);
    });

    for (const expected of ['any', 'no_stream'] as const) {
      it(`concurrent identical appends to a new stream (${expected}) write one copy`, async () => {
        const { store } = fixture();
        const stream = newStreamId();
        const batch = newEvents(3);
        const { values, errors } = await settle(Array.from({ length: 8 }, () => store.append(stream, batch, expected)));
        expect(errors).toEqual([]);
        expect(values.filter((result) => result.appended)).toHaveLength(1);
        expect(new Set(values.map((result) => `${result.next_revision}@${result.position.commit}/${result.position.prepare}`)).size).toBe(1);
        expect(ids(await store.readStream(stream))).toEqual(ids(batch));
      });
    }

    it('concurrent identical appends to an existing stream write one copy', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await store.append(stream, newEvents(2), 'no_stream');
      const batch = newEvents(2);
      const { values, errors } = await settle(Array.from({ length: 8 }, () => store.append(stream, batch, 1)));
      expect(errors).toEqual([]);
      expect(values.filter((result) => result.appended)).toHaveLength(1);
      expect(values.every((result) => result.next_revision === 3)).toBe(true);
      expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2, 3]);
    });
  });
}
