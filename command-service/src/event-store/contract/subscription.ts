import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { START } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import type { FixtureAccess } from '../contract.js';
import { eventually, ids, newEvent, newEvents, newStreamId, newTypePrefix, sleep } from './helpers.js';

/** Collects what a subscription hands over and checks batches never overlap. */
function collector(delayMs = 0): { received: RecordedEvent[]; maxInFlight: () => number; handler: (batch: readonly RecordedEvent[]) => Promise<void> } {
  const received: RecordedEvent[] = [];
  let inFlight = 0;
  let most = 0;
  return {
    received,
    maxInFlight: () => most,
    handler: async (batch) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      if (delayMs > 0) await sleep(delayMs);
      received.push(...batch);
      inFlight -= 1;
    },
  };
}

export function subscriptionContract(fixture: FixtureAccess): void {
  describe('subscribe', () => {
    const startOf = async (): Promise<LogPosition> => (await fixture().store.headPosition()) ?? START;

    it('catches up, then delivers live appends exactly once, in log order, one batch at a time', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const start = await startOf();
      const streams = [newStreamId(), newStreamId(), newStreamId()];
      await store.append(streams[0]!, newEvents(3, `${prefix}early`), 'no_stream');
      await store.append(streams[1]!, newEvents(2, `${prefix}early`), 'no_stream');
      const sink = collector(2);
      const subscription = store.subscribe(sink.handler, { after: start, type_prefixes: [prefix], batch_size: 4 });
      await Promise.all(
        streams.map(async (stream) => {
          for (let n = 0; n < 10; n += 1) await store.append(stream, [newEvent(`${prefix}live`, { n })], 'any');
        }),
      );
      const log = await eventually(async () => {
        const read = await store.readAll({ after: start, type_prefixes: [prefix] });
        expect(read).toHaveLength(35);
        return read;
      });
      await eventually(() => expect(ids(sink.received)).toEqual(ids(log)));
      await sleep(100);
      expect(sink.received).toHaveLength(35);
      expect(sink.maxInFlight()).toBe(1);
      await subscription.stop();
      await expect(subscription.done).resolves.toBeUndefined();
    });

    it('wakes on an append instead of waiting for a poll', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const sink = collector();
      const subscription = store.subscribe(sink.handler, { after: await startOf(), type_prefixes: [prefix] });
      const latencies: number[] = [];
      for (let n = 1; n <= 3; n += 1) {
        await sleep(50);
        const started = Date.now();
        await store.append(newStreamId(), [newEvent(`${prefix}ping`)], 'any');
        await eventually(() => expect(sink.received).toHaveLength(n), 5_000, 2);
        latencies.push(Date.now() - started);
      }
      // The best of three, so one unrelated slow transaction on the server cannot fail it.
      expect(Math.min(...latencies)).toBeLessThan(300);
      await subscription.stop();
    });

    it('ends with a rejected done when the handler fails, and the failed batch is delivered again on resubscribe', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const start = await startOf();
      const events = newEvents(3, `${prefix}x`);
      await store.append(newStreamId(), events, 'no_stream');
      const failing = store.subscribe(async () => Promise.reject(new Error('handler broke')), { after: start, type_prefixes: [prefix] });
      await expect(failing.done).rejects.toThrow('handler broke');
      await failing.stop();
      const sink = collector();
      const again = store.subscribe(sink.handler, { after: start, type_prefixes: [prefix] });
      await eventually(() => expect(ids(sink.received)).toEqual(ids(events)));
      await again.stop();
    });

    it('stop waits for the running batch and nothing is handed over afterwards', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const start = await startOf();
      await store.append(newStreamId(), newEvents(4, `${prefix}x`), 'no_stream');
      let entered = false;
      let finished = false;
      let calls = 0;
      const subscription = store.subscribe(
        async () => {
          calls += 1;
          entered = true;
          await sleep(150);
          finished = true;
        },
        { after: start, type_prefixes: [prefix], batch_size: 2 },
      );
      await eventually(() => expect(entered).toBe(true));
      await subscription.stop();
      expect(finished).toBe(true);
      await store.append(newStreamId(), newEvents(2, `${prefix}x`), 'no_stream');
      await sleep(100);
      expect(calls).toBe(1);
      await expect(subscription.done).resolves.toBeUndefined();
    });

    it('max_count ends the subscription after that many events', async () => {
      const { store } = fixture();
      const prefix = newTypePrefix();
      const events = newEvents(5, `${prefix}x`);
      const start = await startOf();
      await store.append(newStreamId(), events, 'no_stream');
      const sink = collector();
      const subscription = store.subscribe(sink.handler, { after: start, type_prefixes: [prefix], max_count: 3, batch_size: 2 });
      await expect(subscription.done).resolves.toBeUndefined();
      expect(ids(sink.received)).toEqual(ids(events.slice(0, 3)));
    });

    it('delivers an append whose transaction commits after later ones, before them', async (context) => {
      const { store, hooks } = fixture();
      if (!hooks.holdOpenAppend) return context.skip();
      const prefix = newTypePrefix();
      const start = await startOf();
      const first = newEvents(1, `${prefix}first`);
      await store.append(newStreamId(), first, 'any');
      const sink = collector();
      const subscription = store.subscribe(sink.handler, { after: start, type_prefixes: [prefix] });
      await eventually(() => expect(ids(sink.received)).toEqual(ids(first)));

      const held = newEvents(2, `${prefix}held`);
      const transaction = await hooks.holdOpenAppend(newStreamId(), held);
      const later = newEvents(2, `${prefix}later`);
      try {
        await store.append(newStreamId(), later.slice(0, 1), 'any');
        await store.append(newStreamId(), later.slice(1), 'any');
        await sleep(300);
        // Delivering `later` now would move the subscription past the still-open transaction.
        expect(ids(sink.received)).toEqual(ids(first));
        expect(ids(await store.readAll({ after: start, type_prefixes: [prefix] }))).toEqual(ids(first));
      } finally {
        await transaction.commit();
      }
      const expected = [...first, ...held, ...later];
      await eventually(() => expect(ids(sink.received)).toEqual(ids(expected)));
      await eventually(async () => expect(ids(await store.readAll({ after: start, type_prefixes: [prefix] }))).toEqual(ids(expected)));
      await subscription.stop();
    });
  });
}
