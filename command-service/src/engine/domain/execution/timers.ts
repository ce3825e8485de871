import type { PendingTimer } from '@iwf/contracts';
import { timerIds } from './ids.js';
import type { ExecutionState, StepRun } from './state.js';
import { isActive } from './state.js';

/**
 * The timers an execution needs right now. A timer's id names its purpose and attempt, so
 * one that is no longer listed is stale: firing it changes nothing.
 */
export function pendingTimers(state: ExecutionState): readonly RunTimer[] {
  if (!isActive(state)) return [];
  const timers: RunTimer[] = [];
  if (state.timeout_at !== null) {
    timers.push({ timer_id: timerIds.executionTimeout(), kind: 'execution_timeout', due_at: state.timeout_at, step_id: null, run: null });
  }
  for (const entry of state.steps) {
    const timer = runTimer(entry);
    if (timer !== undefined) timers.push(timer);
  }
  return timers;
}

/** A timer and the step run it belongs to (null: the execution's own). */
export type RunTimer = PendingTimer & { readonly run: number | null };

function runTimer(entry: StepRun): RunTimer | undefined {
  const { run, attempts, step_id } = entry;
  if (entry.status === 'retrying' && entry.retry_at !== null) {
    return { timer_id: timerIds.stepRetry(run, attempts), kind: 'step_retry', due_at: entry.retry_at, step_id, run };
  }
  if (entry.status === 'running' && entry.deadline !== null) {
    return { timer_id: timerIds.stepTimeout(run, attempts), kind: 'step_timeout', due_at: entry.deadline, step_id, run };
  }
  const wait = entry.progress?.kind === 'wait' ? entry.progress.wait : null;
  if (entry.status === 'waiting' && wait !== null && wait.timeout_at !== null) {
    return { timer_id: timerIds.waitTimeout(run), kind: 'wait_timeout', due_at: wait.timeout_at, step_id, run };
  }
  return undefined;
}
