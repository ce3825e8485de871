import type { ApprovalEvent, ExecutionEvent, RecordedEvent, WorkflowEvent } from '@iwf/contracts';
import { APPROVAL_EVENT_TYPES, EXECUTION_EVENT_TYPES, WORKFLOW_EVENT_TYPES, parseStreamId, upcastRecorded } from '@iwf/contracts';
import { evolveApproval, initialApprovalState } from '@iwf/command-service/engine/domain/execution/approval/decider';
import { evolve as evolveExecution } from '@iwf/command-service/engine/domain/execution/evolve';
import { initialState as executionInitialState } from '@iwf/command-service/engine/domain/execution/state';
import { evolve as evolveWorkflow, initialState as workflowInitialState } from '@iwf/command-service/workflows/domain/state';

/**
 * The state of a stream as its own aggregate knew it: the aggregate's fold (the same evolve
 * its decider decides with) over the stream's events. Streams of categories without an
 * aggregate fold (ingested events, rules) have no folded state.
 */
interface Fold {
  readonly initial: unknown;
  evolve(state: unknown, event: RecordedEvent): unknown;
}

function foldOf<S, E extends { type: string; data: unknown }>(initial: S, types: readonly string[], evolve: (state: S, event: E) => S): Fold {
  const known = new Set(types);
  return {
    initial,
    evolve: (state, event) => (known.has(event.type) ? evolve(state as S, { type: event.type, data: event.data } as E) : state),
  };
}

const FOLDS: Readonly<Record<string, Fold>> = {
  workflow: foldOf(workflowInitialState, WORKFLOW_EVENT_TYPES, (state, event: WorkflowEvent) => evolveWorkflow(state, event)),
  execution: foldOf(executionInitialState, EXECUTION_EVENT_TYPES, (state, event: ExecutionEvent) => evolveExecution(state, event)),
  approval: foldOf(initialApprovalState, APPROVAL_EVENT_TYPES, (state, event: ApprovalEvent) => evolveApproval(state, event)),
};

export function hasFold(streamId: string): boolean {
  const category = parseStreamId(streamId)?.category;
  return category !== undefined && category in FOLDS;
}

/** Folds events (oldest first, already upcast) of one stream; null when its category has no fold. */
export function foldStream(streamId: string, events: readonly RecordedEvent[]): unknown {
  const category = parseStreamId(streamId)?.category;
  const fold = category === undefined ? undefined : FOLDS[category];
  if (!fold) return null;
  return events.reduce((state, event) => fold.evolve(state, event), fold.initial);
}

/** Recorded events in the shape the current code reads. */
export function upcastAll(events: readonly RecordedEvent[]): RecordedEvent[] {
  return events.map((event) => upcastRecorded(event));
}
