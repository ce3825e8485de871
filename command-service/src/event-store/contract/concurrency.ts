import type { EventStore } from '@iwf/contracts';
import { WrongExpectedRevisionError } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import type { FixtureAccess } from '../contract.js';
import { newEvent, newEvents, newStreamId, revisions, settle } from './helpers.js';

const WRITERS = 16;

/** Reads the stream's last revision and appends after it, retrying on conflicts like a command handler. */
async function appendWithRetry(store: EventStore, stream: string, writer: number, index: number): Promise<number> {
  for (let conflicts = 0; ; conflicts += 1) {
    const [last] = await store.readStream(stream, { direction: 'backwards', max_count: 1 });
    try {
      await store.append(stream, [newEvent('contract.raced', { writer, index })], last ? last.stream_revision : 'no_stream');
      return conflicts;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
}

export function concurrencyContract(fixture: FixtureAccess): void {
  describe(`${WRITERS} writers racing on one stream`, () => {
    it('one wins each revision and every loser gets WrongExpectedRevisionError with the actual revision', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      await store.append(stream, newEvents(1), 'no_stream');
      const { values, errors } = await settle(Array.from({ length: WRITERS }, () => store.append(stream, newEvents(2), 0)));
      expect(values).toHaveLength(1);
      expect(values[0]).toMatchObject({ next_revision: 2, appended: true });
      expect(errors).toHaveLength(WRITERS - 1);
      for (const error of errors) {
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream_id: stream, expected: 0, actual: 2 });
      }
      expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2]);
    });

    it('writers retrying on conflict end with a gapless stream holding every event once', async () => {
      const { store } = fixture();
      const stream = newStreamId();
      const perWriter = 4;
      const work = Array.from({ length: WRITERS }, async (_, writer) => {
        let conflicts = 0;
        for (let index = 0; index < perWriter; index += 1) conflicts += await appendWithRetry(store, stream, writer, index);
        return conflicts;
      });
      const conflicts = (await Promise.all(work)).reduce((sum, n) => sum + n, 0);
      const events = await store.readStream(stream);
      expect(revisions(events)).toEqual(Array.from({ length: WRITERS * perWriter }, (_, n) => n));
      const written = events.map((event) => JSON.stringify(event.data));
      expect(new Set(written).size).toBe(WRITERS * perWriter);
      // Not a guarantee, but 16 writers on one stream that never collide would mean no race was tested.
      expect(conflicts).toBeGreaterThan(0);
    });
  });
}
