import type { EventStore, NewEvent } from '@iwf/contracts';
import { withAppend } from '@iwf/contracts';

/** Runs after an append has committed and before the appender goes on; throwing makes the appender fail as if it died there. */
export type AfterAppend = (stream: string, events: readonly NewEvent[]) => Promise<void>;

export interface AppendTap {
  after: AfterAppend | undefined;
}

/** The store, with the tap's hook (set and cleared by a test) run after every append. */
export function tapAppends(store: EventStore, tap: AppendTap): EventStore {
  return withAppend(store, async (stream, events, expected) => {
    const result = await store.append(stream, events, expected);
    await tap.after?.(stream, events);
    return result;
  });
}

/** The correlation value of the WaitStarted among these events, if there is one. */
export function waitStartedOn(events: readonly NewEvent[]): unknown {
  const started = events.find((event) => event.type === 'WaitStarted');
  return started === undefined ? undefined : (started.data as { match_value: unknown }).match_value;
}
