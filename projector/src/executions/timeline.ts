import type { EffectKind, ExecutionError, ExecutionStepView, StepRunStatus } from '@iwf/contracts';

/**
 * The step timeline of an execution and what the fold must remember beside it: which thread
 * ran each step run (`main`, or `<container run>/<branch or iteration>`), threads about to
 * start a step, and pending effects (an execution with one is running; an http_request's
 * answer changes the context).
 */
export interface TimelineState {
  readonly steps: readonly ExecutionStepView[];
  /** Thread of each run, by run index. */
  readonly threads: readonly string[];
  readonly ready: readonly string[];
  readonly effects: readonly PendingEffect[];
}

export interface PendingEffect {
  readonly effect_id: string;
  readonly kind: EffectKind;
  /** Null for `load_context`, which belongs to no step run. */
  readonly run: number | null;
}

const UNFINISHED: ReadonlySet<StepRunStatus> = new Set(['running', 'waiting', 'retrying']);
export const isUnfinished = (step: ExecutionStepView): boolean => UNFINISHED.has(step.status);

/** The run of the container whose thread this is; null for the main thread. */
export function parentRunOf(thread: string): number | null {
  const slash = thread.indexOf('/');
  return slash > 0 ? Number(thread.slice(0, slash)) : null;
}

export function stepAt(state: TimelineState, run: number): ExecutionStepView {
  const step = state.steps[run];
  if (!step) throw new Error(`no step run ${run} in the timeline`);
  return step;
}

export function updateStep(state: TimelineState, run: number, update: (step: ExecutionStepView) => ExecutionStepView): TimelineState {
  const steps = state.steps.slice();
  steps[run] = update(stepAt(state, run));
  return { ...state, steps };
}

/** Runs started, directly or not, by the container run `run`. */
export function descendantRuns(state: TimelineState, run: number): ReadonlySet<number> {
  const found = new Set<number>();
  const pending = [run];
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    const prefix = `${container}/`;
    state.threads.forEach((thread, candidate) => {
      if (thread.startsWith(prefix) && !found.has(candidate)) {
        found.add(candidate);
        pending.push(candidate);
      }
    });
  }
  return found;
}

/**
 * A container run moves on (retry, next iteration, end): what its threads left unfinished is
 * cancelled, their pending effects no longer count, and none of them starts another step.
 */
export function dropDescendants(state: TimelineState, run: number, at: string): TimelineState {
  const runs = descendantRuns(state, run);
  const prefixes = [run, ...runs].map((container) => `${container}/`);
  const ready = state.ready.filter((thread) => !prefixes.some((prefix) => thread.startsWith(prefix)));
  if (runs.size === 0) return ready.length === state.ready.length ? state : { ...state, ready };
  return {
    ...state,
    ready,
    steps: state.steps.map((step) => (runs.has(step.run) && isUnfinished(step) ? endStep(step, 'cancelled', at) : step)),
    effects: state.effects.filter((effect) => effect.run === null || !runs.has(effect.run)),
  };
}

export const endStep = (step: ExecutionStepView, status: 'cancelled' | 'timed_out', at: string): ExecutionStepView => ({
  ...step,
  status,
  completed_at: at,
});

export const withoutRunEffects = (state: TimelineState, run: number): TimelineState => ({
  ...state,
  effects: state.effects.filter((effect) => effect.run !== run),
});

export const markReady = (state: TimelineState, thread: string): TimelineState =>
  state.ready.includes(thread) ? state : { ...state, ready: [...state.ready, thread] };

/** A run that failed its attempt: retried later, or ended. */
export function failStep(step: ExecutionStepView, error: ExecutionError, retrying: boolean, at: string): ExecutionStepView {
  return retrying ? { ...step, status: 'retrying', error } : { ...step, status: 'failed', error, completed_at: at };
}

/**
 * `waiting` when every unfinished leaf run waits on the outside world (an event, a decision),
 * no effect is pending and no thread is about to start a step; otherwise `running`.
 */
export function activityOf(state: TimelineState): 'running' | 'waiting' {
  if (state.ready.length > 0 || state.effects.length > 0) return 'running';
  const leaves = state.steps.filter((step) => isUnfinished(step) && step.type !== 'parallel' && step.type !== 'foreach');
  return leaves.length > 0 && leaves.every((step) => step.status === 'waiting') ? 'waiting' : 'running';
}
