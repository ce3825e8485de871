import type { ExecutionEvent } from '@iwf/contracts';
import { conditionEvents } from './condition-step.js';
import { foreachEvents, parallelEvents } from './container-steps.js';
import { findStep } from './definition.js';
import { evolve } from './evolve.js';
import { idempotencyKey, effectId } from './ids.js';
import { itemsEvents } from './items-step.js';
import { approvalStepEvents, waitEvents } from './pause-steps.js';
import { msBetween } from './progress.js';
import type { Env, Events } from './run-context.js';
import { runContext } from './run-context.js';
import type { ActiveExecution, ExecutionState, StepRun, Thread } from './state.js';
import { isActive } from './state.js';

/**
 * Events a decision may append in one go. A foreach over a thousand items fits; beyond it
 * the decision stops and `pendingWork(state).advance` tells the runtime to Advance again.
 */
export const MAX_EVENTS_PER_DECISION = 10_000;

/**
 * Runs synchronous work until every thread waits on something outside, folding as it goes.
 * A thread that starts a step it already started in this decision has waited for nothing
 * in between; the context, the clock and the rules are the same, so it would go round
 * forever (a definition published before the graph check knew that a wait or approval
 * which cannot start takes `on_error` at once). The execution fails instead.
 */
export function advance(state: ExecutionState, env: Env, budget = MAX_EVENTS_PER_DECISION): { events: Events; state: ExecutionState } {
  const events: ExecutionEvent[] = [];
  const started = new Set<string>();
  let current = state;
  while (events.length < budget) {
    const next = isActive(current) ? nextEvents(current, env) : [];
    if (next.length === 0) break;
    for (const event of next) {
      const looped = isActive(current) ? loopingStart(current, event, started, env) : undefined;
      events.push(looped ?? event);
      current = evolve(current, looped ?? event);
      if (looped !== undefined) break;
    }
  }
  return { events, state: current };
}

/** The failure to record instead of `event` when it starts a step its thread already started in this decision. */
function loopingStart(state: ActiveExecution, event: ExecutionEvent, started: Set<string>, env: Env): ExecutionEvent | undefined {
  if (event.type !== 'StepStarted' || event.data.attempt !== 1) return undefined;
  const key = `${event.data.thread}\u0000${event.data.step_id}`;
  if (!started.has(key)) {
    started.add(key);
    return undefined;
  }
  const { step_id, path } = event.data;
  const error = { kind: 'loop' as const, message: `step ${step_id} was reached again without the execution waiting for anything since its last run, so it would loop forever` };
  return { type: 'ExecutionFailed', data: { step_id, path, error, at: env.now, duration_ms: msBetween(state.started_at, env.now) } };
}

/** The next few events of the first thread that can move, or [] when none can. */
export function nextEvents(state: ActiveExecution, env: Env): Events {
  if (state.context_loading === 'pending') return [loadContext(state, env)];
  if (state.context_loading === 'requested') return [];
  const main = state.threads.find((thread) => thread.id === 'main');
  if (main?.cursor.kind === 'done') return [finish(state, main, env)];
  for (const thread of state.threads) {
    const events = threadEvents(state, thread, env);
    if (events.length > 0) return events;
  }
  return [];
}

function threadEvents(state: ActiveExecution, thread: Thread, env: Env): Events {
  switch (thread.cursor.kind) {
    case 'ready':
      return startStep(state, thread, thread.cursor.step_id, env);
    case 'active': {
      const entry = state.steps[thread.cursor.run];
      return entry?.status === 'running' ? runEvents(state, entry, env) : [];
    }
    case 'done':
      return [];
  }
}

function startStep(state: ActiveExecution, thread: Thread, stepId: string, env: Env): Events {
  const step = findStep(state.definition, stepId);
  if (step === undefined) {
    const error = { kind: 'invalid' as const, message: `step ${stepId} does not exist in the definition` };
    return [{ type: 'ExecutionFailed', data: { step_id: stepId, path: [...thread.scope, stepId], error, at: env.now, duration_ms: msBetween(state.started_at, env.now) } }];
  }
  const data = { run: state.steps.length, thread: thread.id, step_id: stepId, step_type: step.type, path: [...thread.scope, stepId], attempt: 1, at: env.now };
  return [{ type: 'StepStarted', data }];
}

function runEvents(state: ActiveExecution, entry: StepRun, env: Env): Events {
  const run = runContext(state, env, entry);
  if (run === undefined || entry.progress === null) return [];
  switch (entry.progress.kind) {
    case 'condition':
      return conditionEvents(run);
    case 'items':
      return itemsEvents(run);
    case 'parallel':
      return parallelEvents(run);
    case 'foreach':
      return foreachEvents(run);
    case 'wait':
      return waitEvents(run);
    case 'approval':
      return approvalStepEvents(run);
  }
}

function finish(state: ActiveExecution, main: Thread, env: Env): ExecutionEvent {
  const duration_ms = msBetween(state.started_at, env.now);
  if (main.cursor.kind === 'done' && main.cursor.outcome === 'failed') {
    const failed = main.cursor.run === null ? undefined : state.steps[main.cursor.run];
    const error = main.cursor.error ?? { kind: 'other' as const, message: 'the execution failed' };
    return { type: 'ExecutionFailed', data: { step_id: failed?.step_id ?? null, path: failed?.path ?? [], error, at: env.now, duration_ms } };
  }
  return { type: 'ExecutionCompleted', data: { decision: state.decision ?? 'executed', at: env.now, duration_ms } };
}

function loadContext(state: ActiveExecution, env: Env): ExecutionEvent {
  const resources = state.definition.context?.load ?? [];
  return {
    type: 'EffectRequested',
    data: {
      effect_id: effectId(state.execution_id, state.effect_count),
      run: null,
      step_id: null,
      path: [],
      item_index: 0,
      kind: 'load_context',
      request: { resources },
      idempotency_key: idempotencyKey(state.execution_id, 'main', 'context', 0, 0),
      deadline: null,
      unresolved: [],
      at: env.now,
    },
  };
}
