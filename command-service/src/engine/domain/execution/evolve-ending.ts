import type { ExecutionCancelled, ExecutionCompleted, ExecutionFailed, ExecutionRetried, ExecutionTimedOut } from '@iwf/contracts';
import type { ActiveExecution, ExecutionState, StartedExecution } from './state.js';
import { endRun, isUnfinished, setCursor, updateRun } from './tree.js';

type Ending = ExecutionCompleted | ExecutionFailed | ExecutionCancelled | ExecutionTimedOut;

/** The execution ends: unfinished runs end with it and nothing is awaited any more. */
export function executionEnded(state: ActiveExecution, event: Ending): StartedExecution {
  const { at, duration_ms } = event.data;
  const runStatus = event.type === 'ExecutionTimedOut' ? 'timed_out' : 'cancelled';
  const base = {
    ...state,
    steps: state.steps.map((entry) => (isUnfinished(entry) ? endRun(entry, runStatus, at) : entry)),
    effects: [],
    completed_at: at,
    duration_ms,
  };
  switch (event.type) {
    case 'ExecutionCompleted':
      return { ...base, status: 'completed', decision: event.data.decision };
    case 'ExecutionFailed': {
      const main = state.threads.find((thread) => thread.id === 'main');
      const failedRun = main?.cursor.kind === 'done' ? main.cursor.run : null;
      return { ...base, status: 'failed', error: event.data.error, failed_run: failedRun };
    }
    case 'ExecutionCancelled':
      return { ...base, status: 'cancelled', cancelled_by: event.data.by };
    case 'ExecutionTimedOut':
      return { ...base, status: 'timed_out' };
  }
}

/**
 * A failed execution runs again from its failed step run (its next attempt follows), under
 * the deadline the retry started; a retry recorded without one keeps the execution's.
 */
export function executionRetried(state: StartedExecution, { data }: ExecutionRetried): ExecutionState {
  if (state.status !== 'failed') return state;
  const { error: _error, failed_run: _failed, completed_at: _completed, duration_ms: _duration, ...rest } = state;
  const timeoutAt = data.timeout_at ?? state.timeout_at;
  const reopened = updateRun({ ...rest, status: 'running' as const, updated_at: data.at, timeout_at: timeoutAt }, data.run, (entry) => ({
    ...entry,
    status: 'retrying',
    completed_at: null,
  }));
  const thread = state.steps[data.run]?.thread ?? 'main';
  return setCursor(reopened, thread, { kind: 'active', run: data.run });
}
