import { describe, expect, it } from 'vitest';
import type { FixtureAccess } from '../contract.js';
import { ids, newEvents, newStreamId } from './helpers.js';

export function guardContract(fixture: FixtureAccess): void {
  describe('append-only history', () => {
    for (const kind of ['update', 'delete', 'truncate'] as const) {
      it(`refuses to ${kind} stored events`, async (context) => {
        const { store, hooks } = fixture();
        if (!hooks.rewriteStoredEvent) return context.skip();
        const stream = newStreamId();
        const events = newEvents(2);
        await store.append(stream, events, 'no_stream');
        await expect(hooks.rewriteStoredEvent(kind, stream, 1)).rejects.toThrow();
        const stored = await store.readStream(stream);
        expect(ids(stored)).toEqual(ids(events));
        expect(stored.map((event) => event.data)).toEqual(events.map((event) => event.data));
      });
    }

    it('a hash chain check finds a tampered event by stream and revision', async (context) => {
      const { store, hooks } = fixture();
      if (!hooks.tamperWithEvent || !hooks.verifyChain) return context.skip();
      const stream = newStreamId();
      await store.append(stream, newEvents(2), 'no_stream');
      await store.append(stream, newEvents(2), 1);
      expect(await hooks.verifyChain(stream)).toEqual(expect.objectContaining({ ok: true, stream_id: stream }));
      await hooks.tamperWithEvent(stream, 2, { n: 'forged' });
      expect(await hooks.verifyChain(stream)).toEqual(expect.objectContaining({ ok: false, stream_id: stream, revision: 2 }));
    });
  });
}
