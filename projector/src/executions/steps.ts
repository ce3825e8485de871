import type {
  ApprovalRequested,
  ExecutionStepView,
  IterationStarted,
  ParallelStarted,
  StepCompleted,
  StepFailed,
  StepStarted,
  WaitStarted,
  WaitTimedOut,
} from '@iwf/contracts';
import type { TimelineState } from './timeline.js';
import { dropDescendants, failStep, markReady, parentRunOf, stepAt, updateStep, withoutRunEffects } from './timeline.js';
import { isoTime } from './time.js';

/** Step events folded into the timeline. */

export function stepStarted(state: TimelineState, { data }: StepStarted): TimelineState {
  const at = isoTime(data.at);
  const ready = state.ready.filter((thread) => thread !== data.thread);
  if (data.run < state.steps.length) {
    // The next attempt of a run: what its previous attempt started inside it is over.
    const retried = dropDescendants({ ...state, ready }, data.run, at);
    return updateStep(retried, data.run, (step) => ({ ...step, status: 'running', attempts: data.attempt, completed_at: null }));
  }
  if (data.run > state.steps.length) throw new Error(`step run ${data.run} started after ${state.steps.length} runs`);
  const step: ExecutionStepView = {
    run: data.run,
    step_id: data.step_id,
    type: data.step_type,
    path: data.path,
    parent_run: parentRunOf(data.thread),
    status: 'running',
    started_at: at,
    completed_at: null,
    attempts: data.attempt,
    output: null,
    error: null,
  };
  return { ...state, ready, steps: [...state.steps, step], threads: [...state.threads, data.thread] };
}

export function parallelStarted(state: TimelineState, { data }: ParallelStarted): TimelineState {
  stepAt(state, data.run);
  return data.branches.reduce((next, root) => markReady(next, `${data.run}/${root}`), state);
}

export function iterationStarted(state: TimelineState, { data }: IterationStarted): TimelineState {
  stepAt(state, data.run);
  return markReady(dropDescendants(state, data.run, isoTime(data.at)), `${data.run}/${data.index}`);
}

export function stepCompleted(state: TimelineState, { data }: StepCompleted): TimelineState {
  const at = isoTime(data.at);
  const ended = updateStep(withoutRunEffects(dropDescendants(state, data.run, at), data.run), data.run, (step) => ({
    ...step,
    // A timed-out wait that continues on its `on_timeout` branch stays timed out.
    status: step.status === 'timed_out' ? 'timed_out' : 'completed',
    completed_at: at,
    output: data.output,
    error: null,
  }));
  return data.next === null ? ended : markReady(ended, threadOf(state, data.run));
}

export function stepFailed(state: TimelineState, { data }: StepFailed): TimelineState {
  const at = isoTime(data.at);
  const retrying = data.retry_at !== null;
  const ended = updateStep(withoutRunEffects(dropDescendants(state, data.run, at), data.run), data.run, (step) =>
    failStep(step, data.error, retrying, at),
  );
  return !retrying && data.next !== null ? markReady(ended, threadOf(state, data.run)) : ended;
}

export const waitStarted = (state: TimelineState, { data }: WaitStarted): TimelineState =>
  updateStep(state, data.run, (step) => ({ ...step, status: 'waiting' }));

export const waitTimedOut = (state: TimelineState, { data }: WaitTimedOut): TimelineState =>
  updateStep(state, data.run, (step) => ({ ...step, status: 'timed_out', completed_at: isoTime(data.at) }));

/** An approval step waits for the decision; a create_approval_request item does not. */
export const approvalRequested = (state: TimelineState, { data }: ApprovalRequested): TimelineState =>
  data.blocking ? updateStep(state, data.run, (step) => ({ ...step, status: 'waiting' })) : state;

function threadOf(state: TimelineState, run: number): string {
  const thread = state.threads[run];
  if (thread === undefined) throw new Error(`no thread recorded for step run ${run}`);
  return thread;
}
