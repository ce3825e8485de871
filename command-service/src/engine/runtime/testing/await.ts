import type { EventStore, RecordedEvent } from '@iwf/contracts';

/** Resolves with the first event (from now on, or already in the log) the predicate accepts. */
export function awaitEvent(store: EventStore, accept: (event: RecordedEvent) => boolean, timeoutMs = 10_000): Promise<RecordedEvent> {
  return new Promise((resolve, reject) => {
    let found: RecordedEvent | undefined;
    const subscription = store.subscribe(async (events) => {
      found ??= events.find(accept);
      if (found !== undefined) void subscription.stop();
    });
    const timer = setTimeout(() => {
      void subscription.stop();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    void subscription.done.then(() => {
      clearTimeout(timer);
      if (found !== undefined) resolve(found);
    });
  });
}

/** Re-checks a condition of the database until it holds (bounded); for states no event announces. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
