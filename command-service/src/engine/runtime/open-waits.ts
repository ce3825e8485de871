import type { ExecutionEvent, LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import type { ExecutionState } from '../domain/execution/index.js';
import { openWaits } from '../domain/execution/index.js';

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
  return openWaits(state).map((open) => open.run);
}

export function indexedWaits(state: ExecutionState, opened: OpenedAt): IndexedWait[] {
  return openWaits(state).map(({ step_id, run, wait: { event_type, match_field, match_value } }) => ({
    step_id,
    run,
    event_type,
    match_field,
    match_value,
    opened: opened.get(run),
  }));
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

/** Runs whose wait opened at `position` (the append that started them) and still wait. */
export function openedAt(opened: OpenedAt, position: LogPosition): number[] {
  return [...opened].flatMap(([run, at]) => (comparePositions(at, position) === 0 ? [run] : []));
}

const startedRuns = (events: readonly ExecutionEvent[]): number[] => events.flatMap((event) => (event.type === 'WaitStarted' ? [event.data.run] : []));

function keepWaiting(all: ReadonlyMap<number, LogPosition>, state: ExecutionState): OpenedAt {
  const waiting = new Set(waitingRuns(state));
  return new Map([...all].filter(([run]) => waiting.has(run)));
}
