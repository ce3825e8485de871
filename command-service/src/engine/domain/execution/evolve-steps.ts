import type {
  ApprovalRequested,
  ForeachStarted,
  IterationStarted,
  ParallelStarted,
  StepCompleted,
  StepFailed,
  StepStarted,
} from '@iwf/contracts';
import { isPlainObject } from '../json.js';
import { findStep } from './definition.js';
import { attemptDeadline, initialProgress, retryProgress } from './progress.js';
import type { ActiveExecution, Cursor, StepRun, Thread } from './state.js';
import { dropDescendants, findThread, setCursor, updateProgress, updateRun } from './tree.js';

type State = ActiveExecution;

export function stepStarted(state: State, { data }: StepStarted): State {
  const step = findStep(state.definition, data.step_id);
  const deadline = attemptDeadline(step, data.at);
  const withCurrent = { ...state, current_step: { step_id: data.step_id, path: data.path } };
  if (data.run < state.steps.length) {
    const retried = updateRun(dropDescendants(withCurrent, data.run), data.run, (entry) => ({
      ...entry,
      status: 'running',
      attempts: data.attempt,
      attempt_started_at: data.at,
      deadline,
      retry_at: null,
      completed_at: null,
      progress: retryProgress(entry.progress, step),
    }));
    return setCursor(retried, data.thread, { kind: 'active', run: data.run });
  }
  const thread = findThread(state, data.thread);
  const visit = thread?.visits[data.step_id] ?? 0;
  const entry: StepRun = {
    run: data.run,
    step_id: data.step_id,
    step_type: data.step_type,
    path: data.path,
    thread: data.thread,
    visit,
    status: 'running',
    attempts: data.attempt,
    started_at: data.at,
    attempt_started_at: data.at,
    deadline,
    completed_at: null,
    output: null,
    error: null,
    retry_at: null,
    progress: initialProgress(step),
  };
  const threads = state.threads.map(
    (candidate): Thread =>
      candidate.id === data.thread
        ? { ...candidate, cursor: { kind: 'active', run: data.run }, visits: { ...candidate.visits, [data.step_id]: visit + 1 } }
        : candidate,
  );
  return { ...withCurrent, steps: [...state.steps, entry], threads };
}

export function parallelStarted(state: State, { data }: ParallelStarted): State {
  const owner = findThread(state, state.steps[data.run]?.thread ?? '');
  const threads = data.branches.map(
    (root): Thread => ({
      id: `${data.run}/${root}`,
      scope: data.path,
      vars: owner?.vars ?? {},
      cursor: { kind: 'ready', step_id: root },
      visits: {},
    }),
  );
  const next = updateProgress(state, data.run, 'parallel', () => ({
    kind: 'parallel',
    strategy: data.strategy,
    threads: threads.map((thread) => thread.id),
  }));
  return { ...next, threads: [...next.threads, ...threads] };
}

export const foreachStarted = (state: State, { data }: ForeachStarted): State =>
  updateProgress(state, data.run, 'foreach', (progress) => ({ ...progress, items: data.items, item_var: data.item_var }));

export function iterationStarted(state: State, { data }: IterationStarted): State {
  const entry = state.steps[data.run];
  const progress = entry?.progress;
  if (entry === undefined || progress?.kind !== 'foreach') return state;
  const owner = findThread(state, entry.thread);
  const thread: Thread = {
    id: `${data.run}/${data.index}`,
    scope: [...data.path, data.index],
    vars: { ...(owner?.vars ?? {}), [progress.item_var]: progress.items?.[data.index] ?? null, _index: data.index },
    cursor: { kind: 'ready', step_id: firstStepOf(state, data.step_id) },
    visits: {},
  };
  const cleared = dropDescendants(state, data.run);
  const next = updateProgress(cleared, data.run, 'foreach', (current) => ({ ...current, index: data.index, thread: thread.id }));
  return { ...next, threads: [...next.threads, thread] };
}

function firstStepOf(state: State, foreachId: string): string {
  const step = findStep(state.definition, foreachId);
  return step?.type === 'foreach' ? (step.foreach.steps[0]?.id ?? '') : '';
}

export function stepCompleted(state: State, { data }: StepCompleted): State {
  const entry = state.steps[data.run];
  if (entry === undefined) return state;
  const cleared = withoutRunEffects(dropDescendants(state, data.run), data.run);
  const ended = updateRun(cleared, data.run, (current) => ({
    ...current,
    status: current.status === 'timed_out' ? 'timed_out' : 'completed',
    completed_at: data.at,
    output: data.output,
    progress: null,
  }));
  const falseEnd = entry.step_type === 'condition' && isPlainObject(data.output) && data.output['result'] === false;
  const cursor: Cursor =
    data.next !== null ? { kind: 'ready', step_id: data.next } : { kind: 'done', outcome: falseEnd ? 'false' : 'passed', run: data.run, error: null };
  return setCursor(ended, entry.thread, cursor);
}

export function stepFailed(state: State, { data }: StepFailed): State {
  const entry = state.steps[data.run];
  if (entry === undefined) return state;
  const cleared = withoutRunEffects(dropDescendants(state, data.run), data.run);
  if (data.retry_at !== null) {
    return updateRun(cleared, data.run, (current) => ({
      ...current,
      status: 'retrying',
      error: data.error,
      retry_at: data.retry_at,
      progress: current.progress?.kind === 'items' ? { ...current.progress, pending_effect: null } : current.progress,
    }));
  }
  // An execute list keeps its position, so retrying the execution resumes at the failed item.
  const ended = updateRun(cleared, data.run, (current) => ({
    ...current,
    status: 'failed',
    error: data.error,
    completed_at: data.at,
    progress: current.progress?.kind === 'items' ? { ...current.progress, pending_effect: null } : null,
  }));
  const cursor: Cursor =
    data.next !== null ? { kind: 'ready', step_id: data.next } : { kind: 'done', outcome: 'failed', run: data.run, error: data.error };
  return setCursor(ended, entry.thread, cursor);
}

export function approvalRequested(state: State, { data }: ApprovalRequested): State {
  const link = { approval_id: data.approval_id, run: data.run, step_id: data.step_id, blocking: data.blocking, status: 'pending' as const };
  // A retried request names the same approval; keep one link.
  const known = state.approvals.some((existing) => existing.approval_id === data.approval_id);
  const next = known ? state : { ...state, approvals: [...state.approvals, link] };
  if (!data.blocking) return next;
  const progressed = updateProgress(next, data.run, 'approval', () => ({ kind: 'approval', approval_id: data.approval_id }));
  return updateRun(progressed, data.run, (entry) => ({ ...entry, status: 'waiting' }));
}

const withoutRunEffects = (state: State, run: number): State => ({
  ...state,
  effects: state.effects.filter((effect) => effect.run !== run),
});
