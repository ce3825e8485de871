import type { ExecutionEvent, LogPosition, RecordedEvent } from '@iwf/contracts';
import type { ExecutionState } from '../domain/execution/index.js';
import { isActive } from '../domain/execution/index.js';

/** Where each waiting run's WaitStarted is in the log, by run. */
export type OpenedAt = ReadonlyMap<number, LogPosition>;

/** A wait row: what the wait matches, and the log position after which events count for it. */
export interface IndexedWait {
  readonly step_id: string;
  readonly run: number;
  readonly event_type: string;
  readonly match_field: string;
  readonly match_value: unknown;
  readonly opened: LogPosition | undefined;
}

/** Runs of the state waiting for an event. */
export function waitingRuns(state: ExecutionState): number[] {
  if (!isActive(state)) return [];
  return state.steps.filter((entry) => entry.status === 'waiting' && entry.progress?.kind === 'wait' && entry.progress.wait !== null).map((entry) => entry.run);
}

export function indexedWaits(state: ExecutionState, opened: OpenedAt): IndexedWait[] {
  if (!isActive(state)) return [];
  return state.steps.flatMap((entry) => {
    const wait = entry.status === 'waiting' && entry.progress?.kind === 'wait' ? entry.progress.wait : null;
    if (wait === null) return [];
    const { event_type, match_field, match_value } = wait;
    return [{ step_id: entry.step_id, run: entry.run, event_type, match_field, match_value, opened: opened.get(entry.run) }];
  });
}

/** The positions of the waits still open, read from the stream (each WaitStarted's own). */
export function openedInStream(recorded: readonly RecordedEvent[], state: ExecutionState): OpenedAt {
  const all = new Map<number, LogPosition>();
  for (const event of recorded) if (event.type === 'WaitStarted') all.set((event.data as { run: number }).run, event.position);
  return keepWaiting(all, state);
}

/** The positions after an append: waits it started opened at its position. */
export function openedAfterAppend(before: OpenedAt, events: readonly ExecutionEvent[], position: LogPosition, state: ExecutionState): OpenedAt {
  const all = new Map(before);
  for (const run of startedRuns(events)) all.set(run, position);
  return keepWaiting(all, state);
}

/** Runs whose wait these events started and that still wait in the state they lead to. */
export function openedBy(events: readonly ExecutionEvent[], state: ExecutionState): number[] {
  const waiting = new Set(waitingRuns(state));
  return startedRuns(events).filter((run) => waiting.has(run));
}

const startedRuns = (events: readonly ExecutionEvent[]): number[] => events.flatMap((event) => (event.type === 'WaitStarted' ? [event.data.run] : []));

function keepWaiting(all: ReadonlyMap<number, LogPosition>, state: ExecutionState): OpenedAt {
  const waiting = new Set(waitingRuns(state));
  return new Map([...all].filter(([run]) => waiting.has(run)));
}
