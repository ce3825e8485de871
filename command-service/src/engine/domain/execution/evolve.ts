import type { EffectCompleted, EffectRequested, ExecutionEvent, ExecutionStarted } from '@iwf/contracts';
import { isPlainObject } from '../json.js';
import { applyLoadedResources, mergeInto } from './context.js';
import { approvalRequested, foreachStarted, iterationStarted, parallelStarted, stepCompleted, stepFailed, stepStarted } from './evolve-steps.js';
import { executionEnded, executionRetried } from './evolve-ending.js';
import type { ActiveExecution, ExecutionState, PendingEffectState } from './state.js';
import { isActive } from './state.js';
import { activityOf, updateProgress, updateRun } from './tree.js';

/**
 * Folds one event into the state. Pure and total: an event that cannot apply to the state
 * (out of order, for an execution that ended) leaves it unchanged.
 */
export function evolve(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  if (event.type === 'ExecutionStarted') return state.status === 'not_started' ? started(event) : state;
  if (state.status === 'not_started') return state;
  if (event.type === 'ExecutionRetried') return executionRetried(state, event);
  if (!isActive(state)) return state;
  const at = 'at' in event.data ? event.data.at : state.updated_at;
  const next = apply({ ...state, updated_at: at }, event);
  return isActive(next) ? { ...next, status: activityOf(next) } : next;
}

function apply(state: ActiveExecution, event: ExecutionEvent): ExecutionState {
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionRetried':
      return state;
    case 'ContextLoaded':
      return { ...state, context: applyLoadedResources(state.context, event.data.values), context_loading: 'done' };
    case 'StepStarted':
      return stepStarted(state, event);
    case 'ConditionEvaluated':
      return updateRun(state, event.data.run, (entry) => ({ ...entry, output: { result: event.data.result } }));
    case 'DecisionMade': {
      const decided = updateProgress(state, event.data.run, 'items', (progress) => ({ ...progress, decided: true }));
      return { ...decided, decision: event.data.decision };
    }
    case 'EffectRequested':
      return effectRequested(state, event);
    case 'EffectCompleted':
      return effectCompleted(state, event);
    case 'EffectFailed':
      return effectEnded(state, event.data.effect_id, { ok: false });
    case 'ParallelStarted':
      return parallelStarted(state, event);
    case 'ForeachStarted':
      return foreachStarted(state, event);
    case 'IterationStarted':
      return iterationStarted(state, event);
    case 'StepCompleted':
      return stepCompleted(state, event);
    case 'StepFailed':
      return stepFailed(state, event);
    case 'WaitStarted': {
      const { event_type, match_field, match_value, timeout_at } = event.data;
      const waiting = updateProgress(state, event.data.run, 'wait', () => ({ kind: 'wait', wait: { event_type, match_field, match_value, timeout_at } }));
      return updateRun(waiting, event.data.run, (entry) => ({ ...entry, status: 'waiting' }));
    }
    case 'WaitEventDelivered':
      return {
        ...state,
        context: mergeInto(state.context, event.data.payload),
        delivered_event_ids: [...state.delivered_event_ids, event.data.event_id],
      };
    case 'WaitTimedOut':
      return updateRun(state, event.data.run, (entry) => ({ ...entry, status: 'timed_out', completed_at: event.data.at }));
    case 'ApprovalRequested':
      return approvalRequested(state, event);
    case 'ApprovalResolved':
      return {
        ...state,
        approvals: state.approvals.map((link) => (link.approval_id === event.data.approval_id ? { ...link, status: event.data.status } : link)),
      };
    case 'ExecutionCompleted':
    case 'ExecutionFailed':
    case 'ExecutionCancelled':
    case 'ExecutionTimedOut':
      return executionEnded(state, event);
  }
}

function started({ data }: ExecutionStarted): ActiveExecution {
  const first = data.definition.steps[0]?.id;
  const loads = data.definition.context?.load ?? [];
  const state: ActiveExecution = {
    status: 'running',
    execution_id: data.execution_id,
    workflow_id: data.workflow_id,
    workflow_revision: data.workflow_revision,
    workflow_version: data.workflow_version,
    definition: data.definition,
    trigger: data.trigger,
    context: data.context,
    context_loading: loads.length > 0 ? 'pending' : 'done',
    decision: null,
    started_at: data.started_at,
    timeout_at: data.timeout_at,
    updated_at: data.started_at,
    current_step: null,
    steps: [],
    threads: [
      {
        id: 'main',
        scope: [],
        vars: {},
        cursor: first === undefined ? { kind: 'done', outcome: 'passed', run: null, error: null } : { kind: 'ready', step_id: first },
        visits: {},
      },
    ],
    effects: [],
    effect_count: 0,
    approvals: [],
    delivered_event_ids: [],
  };
  return { ...state, status: activityOf(state) };
}

function effectRequested(state: ActiveExecution, { data }: EffectRequested): ActiveExecution {
  const effect: PendingEffectState = {
    effect_id: data.effect_id,
    run: data.run,
    step_id: data.step_id,
    path: data.path,
    kind: data.kind,
    request: data.request,
    idempotency_key: data.idempotency_key,
    deadline: data.deadline,
    requested_at: data.at,
  };
  const next = { ...state, effects: [...state.effects, effect], effect_count: state.effect_count + 1 };
  if (data.kind === 'load_context') return { ...next, context_loading: 'requested' };
  if (data.run === null) return next;
  return updateProgress(next, data.run, 'items', (progress) => ({ ...progress, pending_effect: data.effect_id }));
}

function effectCompleted(state: ActiveExecution, event: EffectCompleted): ActiveExecution {
  const effect = state.effects.find((candidate) => candidate.effect_id === event.data.effect_id);
  const ended = effectEnded(state, event.data.effect_id, { ok: true, result: event.data.result });
  const body = isPlainObject(event.data.result) ? event.data.result['body'] : undefined;
  // A data request's JSON object answer becomes part of the context (`data.records_count`).
  return effect?.kind === 'http_request' && isPlainObject(body) ? { ...ended, context: mergeInto(ended.context, body) } : ended;
}

/** The effect is no longer pending; an execute list moves past its item when it succeeded. */
function effectEnded(state: ActiveExecution, effectId: string, outcome: { ok: true; result: unknown } | { ok: false }): ActiveExecution {
  const effect = state.effects.find((candidate) => candidate.effect_id === effectId);
  const next = { ...state, effects: state.effects.filter((candidate) => candidate.effect_id !== effectId) };
  if (effect?.run === null || effect === undefined) return next;
  return updateProgress(next, effect.run, 'items', (progress) =>
    progress.pending_effect !== effectId
      ? progress
      : {
          ...progress,
          pending_effect: null,
          next_item: outcome.ok ? progress.next_item + 1 : progress.next_item,
          results: outcome.ok ? [...progress.results, outcome.result] : progress.results,
        },
  );
}
