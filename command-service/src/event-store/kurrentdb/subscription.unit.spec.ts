import { PassThrough } from 'node:stream';
import type { AllStreamResolvedEvent, KurrentDBClient, SubscribeToAllOptions } from '@kurrent/kurrentdb-client';
import type { RecordedEvent } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { encodeMetadata } from './mapping.js';
import { subscribeToAll } from './subscription.js';

/** A stand-in for the client's `$all` subscription: a readable stream the test writes events into. */
function fakeClient() {
  const opened: { options: SubscribeToAllOptions | undefined; stream: PassThrough }[] = [];
  const client = {
    subscribeToAll(options?: SubscribeToAllOptions) {
      const stream = Object.assign(new PassThrough({ objectMode: true }), { unsubscribe: async () => void stream.destroy() });
      opened.push({ options, stream });
      return stream;
    },
  } as unknown as KurrentDBClient;
  return { client, opened };
}

function resolved(n: number, type = 'order.created'): AllStreamResolvedEvent {
  return {
    event: {
      streamId: `order:t:${n % 3}`,
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      isJson: true,
      revision: BigInt(n),
      type,
      created: new Date(0),
      data: { n },
      metadata: encodeMetadata({ tenant: 't', actor: 'a', correlation_id: 'c' }, 1),
      position: { commit: BigInt(n * 10), prepare: BigInt(n * 10) },
    },
  } as unknown as AllStreamResolvedEvent;
}

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a condition rather than a fixed time, so a busy machine does not fail the spec. */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await tick(5);
  }
}
const numbers = (events: readonly RecordedEvent[]): number[] => events.map((event) => (event.data as { n: number }).n);

describe('KurrentDB $all subscription', () => {
  it('starts after the checkpoint with the type filter, and hands over batches one at a time in order', async () => {
    const { client, opened } = fakeClient();
    const batches: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const subscription = subscribeToAll(
      client,
      async (batch) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick(10);
        batches.push(numbers(batch));
        inFlight -= 1;
      },
      { after: { commit: 20n, prepare: 20n }, type_prefixes: ['order.'], batch_size: 3 },
      { onError: () => undefined, resubscribeMs: 10 },
    );
    expect(opened[0]?.options).toMatchObject({ fromPosition: { commit: 20n, prepare: 20n }, filter: { prefixes: ['order.'] } });
    // The server starts at the checkpoint itself; that event is not handed over again.
    for (let n = 2; n <= 9; n++) opened[0]!.stream.write(resolved(n));
    opened[0]!.stream.write(resolved(10, 'iwf.event-id.claimed'));
    await until(() => batches.flat().length >= 7);
    await tick(30);
    expect(batches.flat()).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(batches.every((batch) => batch.length <= 3)).toBe(true);
    expect(most).toBe(1);
    await subscription.stop();
    await expect(subscription.done).resolves.toBeUndefined();
  });

  it('stops after max_count events', async () => {
    const { client, opened } = fakeClient();
    const seen: number[] = [];
    const subscription = subscribeToAll(client, async (batch) => void seen.push(...numbers(batch)), { max_count: 4, batch_size: 3 }, { onError: () => undefined, resubscribeMs: 10 });
    for (let n = 1; n <= 8; n++) opened[0]!.stream.write(resolved(n));
    await expect(subscription.done).resolves.toBeUndefined();
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('rejects done when the handler fails', async () => {
    const { client, opened } = fakeClient();
    const subscription = subscribeToAll(client, async () => Promise.reject(new Error('handler broke')), {}, { onError: () => undefined, resubscribeMs: 10 });
    opened[0]!.stream.write(resolved(1));
    await expect(subscription.done).rejects.toThrow('handler broke');
  });

  it('reports a dropped subscription and resumes after the last event it received', async () => {
    const { client, opened } = fakeClient();
    const errors: unknown[] = [];
    const seen: number[] = [];
    const subscription = subscribeToAll(client, async (batch) => void seen.push(...numbers(batch)), {}, { onError: (error) => errors.push(error), resubscribeMs: 10 });
    opened[0]!.stream.write(resolved(1));
    opened[0]!.stream.write(resolved(2));
    await until(() => seen.length === 2);
    opened[0]!.stream.destroy(new Error('14 UNAVAILABLE'));
    await until(() => opened.length === 2);
    expect(errors).toHaveLength(1);
    expect(opened[1]?.options?.fromPosition).toEqual({ commit: 20n, prepare: 20n });
    // A resubscription may repeat the event it starts from; it is not handed over twice.
    opened[1]!.stream.write(resolved(2));
    opened[1]!.stream.write(resolved(3));
    await until(() => seen.length >= 3);
    await tick(20);
    expect(seen).toEqual([1, 2, 3]);
    await subscription.stop();
  });

  it('stop waits for the batch in hand and hands over nothing after it', async () => {
    const { client, opened } = fakeClient();
    let calls = 0;
    let finished = false;
    const subscription = subscribeToAll(
      client,
      async () => {
        calls += 1;
        await tick(50);
        finished = true;
      },
      { batch_size: 1 },
      { onError: () => undefined, resubscribeMs: 10 },
    );
    opened[0]!.stream.write(resolved(1));
    opened[0]!.stream.write(resolved(2));
    await until(() => calls === 1);
    await subscription.stop();
    expect(finished).toBe(true);
    await tick(60);
    expect(calls).toBe(1);
  });
});
