import type { ExpectedRevision } from '@iwf/contracts';
import { WrongExpectedRevisionError, comparePositions } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import type { FixtureAccess } from '../contract.js';
import { newEvent, newEvents, newStreamId, revisions } from './helpers.js';

async function expectConflict(promise: Promise<unknown>, stream_id: string, expected: ExpectedRevision, actual: number | 'no_stream'): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject({ code: 'wrong_expected_revision', stream_id, expected, actual });
}

export function appendContract(fixture: FixtureAccess): void {
  describe('append with an expected revision', () => {
    it('no_stream creates a stream and reports its last revision and position', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      const result = await store.append(stream, newEvents(3), 'no_stream');
      expect(result).toMatchObject({ next_revision: 2, appended: true });
      const events = await store.readStream(stream);
      expect(revisions(events)).toEqual([0, 1, 2]);
      expect(events[2]?.position).toEqual(result.position);
    });

    it('no_stream fails on an existing stream with its actual revision', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await store.append(stream, newEvents(2), 'no_stream');
      await expectConflict(store.append(stream, newEvents(1), 'no_stream'), stream, 'no_stream', 1);
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('exists fails on a missing stream and appends to an existing one', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await expectConflict(store.append(stream, newEvents(1), 'exists'), stream, 'exists', 'no_stream');
      expect(await store.readStream(stream)).toEqual([]);
      await store.append(stream, newEvents(1), 'any');
      expect(await store.append(stream, newEvents(2), 'exists')).toMatchObject({ next_revision: 2, appended: true });
    });

    it('an exact revision appends only when it is the last revision', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await expectConflict(store.append(stream, newEvents(1), 0), stream, 0, 'no_stream');
      await store.append(stream, newEvents(2), 'no_stream');
      await expectConflict(store.append(stream, newEvents(1), 0), stream, 0, 1);
      await expectConflict(store.append(stream, newEvents(1), 2), stream, 2, 1);
      expect(await store.append(stream, newEvents(1), 1)).toMatchObject({ next_revision: 2, appended: true });
      expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2]);
    });

    it('any appends to a missing and to an existing stream', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      expect(await store.append(stream, newEvents(1), 'any')).toMatchObject({ next_revision: 0, appended: true });
      expect(await store.append(stream, newEvents(2), 'any')).toMatchObject({ next_revision: 2, appended: true });
    });

    it('positions grow with every append, also across streams', async () => {
      const { store } = fixture();
      const first = await store.append(newStreamId(), newEvents(1), 'any');
      const second = await store.append(newStreamId(), newEvents(1), 'any');
      const third = await store.append(newStreamId(), newEvents(1), 'any');
      expect(comparePositions(first.position, second.position)).toBe(-1);
      expect(comparePositions(second.position, third.position)).toBe(-1);
    });

    it('refuses an empty append, a malformed event id and a negative revision without writing', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await expect(store.append(stream, [], 'any')).rejects.toThrow();
      await expect(store.append(stream, [newEvent('contract.bad', {}, { event_id: 'not-a-uuid' })], 'any')).rejects.toThrow();
      await expect(store.append(stream, newEvents(1), -5)).rejects.toThrow();
      expect(await store.readStream(stream)).toEqual([]);
    });
  });
}
