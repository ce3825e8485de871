import type { ActiveExecution, Cursor, ExecutionData, RunProgress, StepRun, Thread } from './state.js';

/** Small immutable updates of the state's runs and threads. */
export function updateRun<S extends ExecutionData>(state: S, run: number, update: (entry: StepRun) => StepRun): S {
  const entry = state.steps[run];
  if (entry === undefined) return state;
  const steps = state.steps.slice();
  steps[run] = update(entry);
  return { ...state, steps };
}

export function updateProgress<K extends RunProgress['kind'], S extends ExecutionData>(
  state: S,
  run: number,
  kind: K,
  update: (progress: Extract<RunProgress, { kind: K }>) => RunProgress,
): S {
  return updateRun(state, run, (entry) =>
    entry.progress?.kind === kind ? { ...entry, progress: update(entry.progress as Extract<RunProgress, { kind: K }>) } : entry,
  );
}

export const findThread = (state: ExecutionData, id: string): Thread | undefined => state.threads.find((thread) => thread.id === id);

export function updateThread<S extends ExecutionData>(state: S, id: string, update: (thread: Thread) => Thread): S {
  return { ...state, threads: state.threads.map((thread) => (thread.id === id ? update(thread) : thread)) };
}

export const setCursor = <S extends ExecutionData>(state: S, id: string, cursor: Cursor): S =>
  updateThread(state, id, (thread) => ({ ...thread, cursor }));

export const childThreadPrefix = (run: number): string => `${run}/`;

/**
 * Threads started by a container run, and recursively by container runs inside them. Thread
 * ids are `<container run>/<branch or index>`, so descent follows run numbers.
 */
export function descendantThreads(state: ExecutionData, run: number): readonly Thread[] {
  const found: Thread[] = [];
  const pending = [run];
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    const prefix = childThreadPrefix(container);
    for (const thread of state.threads) {
      if (!thread.id.startsWith(prefix)) continue;
      found.push(thread);
      for (const entry of state.steps) if (entry.thread === thread.id) pending.push(entry.run);
    }
  }
  return found;
}

/**
 * Drops a container's threads: their unfinished runs end as `cancelled` and their pending
 * effects are no longer awaited (a late result for one is ignored).
 */
export function dropDescendants<S extends ExecutionData>(state: S, run: number): S {
  const dropped = new Set(descendantThreads(state, run).map((thread) => thread.id));
  if (dropped.size === 0) return state;
  const runs = new Set(state.steps.filter((entry) => dropped.has(entry.thread)).map((entry) => entry.run));
  return {
    ...state,
    threads: state.threads.filter((thread) => !dropped.has(thread.id)),
    steps: state.steps.map((entry) => (runs.has(entry.run) && isUnfinished(entry) ? endRun(entry, 'cancelled', state.updated_at) : entry)),
    effects: state.effects.filter((effect) => effect.run === null || !runs.has(effect.run)),
  };
}

export const isUnfinished = (entry: StepRun): boolean =>
  entry.status === 'running' || entry.status === 'waiting' || entry.status === 'retrying';

export const endRun = (entry: StepRun, status: 'cancelled' | 'timed_out', at: string): StepRun => ({
  ...entry,
  status,
  completed_at: at,
  progress: null,
  retry_at: null,
});

/**
 * `waiting`: paused on the outside world only (an event or an approval decision); `running`
 * while an effect, a retry or a runnable step remains.
 */
export function activityOf(state: ExecutionData): ActiveExecution['status'] {
  if (state.effects.length > 0 || state.context_loading !== 'done') return 'running';
  if (state.threads.some((thread) => thread.cursor.kind === 'ready')) return 'running';
  const unfinished = state.steps.filter(isUnfinished);
  const leaves = unfinished.filter((entry) => entry.progress?.kind !== 'parallel' && entry.progress?.kind !== 'foreach');
  return leaves.length > 0 && leaves.every((entry) => entry.status === 'waiting') ? 'waiting' : 'running';
}
