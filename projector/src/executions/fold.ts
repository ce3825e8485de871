import type {
  ExecutionEvent,
  ExecutionEventType,
  ExecutionStarted,
  ExecutionView,
  LogPosition,
  RecordedEvent,
} from '@iwf/contracts';
import { EXECUTION_EVENT_TYPES, TERMINAL_EXECUTION_STATUSES } from '@iwf/contracts';
import { applyLoadedResources, mergeHttpAnswer, mergeInto } from './context.js';
import { ended, retried } from './ending.js';
import { approvalRequested, iterationStarted, parallelStarted, stepCompleted, stepFailed, stepStarted, waitStarted, waitTimedOut } from './steps.js';
import { isoTime } from './time.js';
import type { TimelineState } from './timeline.js';
import { activityOf, stepAt, updateStep } from './timeline.js';

export type ExecutionFold = Omit<TimelineState, 'steps'>;

/** One row of the executions read model: the view, the fold's memory beside it, its position. */
export interface ExecutionRecord {
  readonly tenant: string;
  readonly view: ExecutionView;
  readonly fold: ExecutionFold;
  readonly position: LogPosition;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(EXECUTION_EVENT_TYPES);
export const isExecutionEventType = (type: string): type is ExecutionEventType => KNOWN_TYPES.has(type);

/**
 * Folds one event into the record; undefined when the record already reflects it (its
 * revision is equal or newer), which makes redelivery harmless. Like the engine, an ended
 * execution takes nothing but a retry; the revision still advances.
 */
export function evolveExecution(record: ExecutionRecord | undefined, tenant: string, event: RecordedEvent): ExecutionRecord | undefined {
  if (record && event.stream_revision <= record.view.revision) return undefined;
  const typed = asExecutionEvent(event);
  const meta = { revision: event.stream_revision, position: event.position };
  if (typed.type === 'ExecutionStarted') {
    if (record) throw new Error(`execution ${typed.data.execution_id} started twice`);
    const initial = started(typed);
    return { tenant, view: { ...initial.view, revision: meta.revision }, fold: initial.fold, position: meta.position };
  }
  if (!record) throw new Error(`${typed.type} before the execution started`);
  const active = !TERMINAL_EXECUTION_STATUSES.includes(record.view.status);
  const applies = active || (typed.type === 'ExecutionRetried' && record.view.status === 'failed');
  const at = 'at' in typed.data ? isoTime(typed.data.at) : record.view.updated_at;
  const next = applies ? apply(record, typed, at) : record;
  return { ...next, view: { ...next.view, revision: meta.revision, updated_at: applies ? at : next.view.updated_at }, position: meta.position };
}

function started({ data }: ExecutionStarted): Pick<ExecutionRecord, 'view' | 'fold'> {
  const at = isoTime(data.started_at);
  const view: ExecutionView = {
    execution_id: data.execution_id,
    workflow_id: data.workflow_id,
    workflow_revision: data.workflow_revision,
    workflow_version: data.workflow_version,
    trigger_kind: data.trigger.kind,
    trigger_event_id: data.trigger.event_id ?? null,
    status: 'running',
    decision: null,
    current_step_id: null,
    error: null,
    started_at: at,
    completed_at: null,
    duration_ms: null,
    updated_at: at,
    revision: 0,
    context: data.context,
    steps: [],
  };
  return { view, fold: { threads: [], ready: [], effects: [] } };
}

function apply(record: ExecutionRecord, event: ExecutionEvent, at: string): ExecutionRecord {
  switch (event.type) {
    case 'ExecutionStarted':
      return record;
    case 'ContextLoaded':
      return withView(record, { context: applyLoadedResources(record.view.context, event.data.values) });
    case 'WaitEventDelivered':
      return withView(record, { context: mergeInto(record.view.context, event.data.payload) });
    case 'DecisionMade':
      return withView(record, { decision: event.data.decision });
    case 'StepStarted':
      return withView(onTimeline(record, (state) => stepStarted(state, event)), { current_step_id: event.data.step_id });
    case 'ConditionEvaluated':
      return onTimeline(record, (state) => updateStep(state, event.data.run, (step) => ({ ...step, output: { result: event.data.result } })));
    case 'EffectRequested': {
      const { effect_id, run, kind } = event.data;
      if (run !== null) stepAt({ steps: record.view.steps, ...record.fold }, run);
      return settle({ ...record, fold: { ...record.fold, effects: [...record.fold.effects, { effect_id, kind, run }] } });
    }
    case 'EffectCompleted':
    case 'EffectFailed': {
      // An effect no longer awaited (its run ended) changes nothing, as in the engine.
      const effect = record.fold.effects.find((candidate) => candidate.effect_id === event.data.effect_id);
      if (!effect) return record;
      const effects = record.fold.effects.filter((candidate) => candidate !== effect);
      const answered = event.type === 'EffectCompleted' && effect.kind === 'http_request';
      const context = answered ? mergeHttpAnswer(record.view.context, event.data.result) : record.view.context;
      return settle({ ...record, view: { ...record.view, context }, fold: { ...record.fold, effects } });
    }
    case 'ParallelStarted':
      return onTimeline(record, (state) => parallelStarted(state, event));
    case 'ForeachStarted':
      return record;
    case 'IterationStarted':
      return onTimeline(record, (state) => iterationStarted(state, event));
    case 'StepCompleted':
      return onTimeline(record, (state) => stepCompleted(state, event));
    case 'StepFailed':
      return onTimeline(record, (state) => stepFailed(state, event));
    case 'WaitStarted':
      return onTimeline(record, (state) => waitStarted(state, event));
    case 'WaitTimedOut':
      return onTimeline(record, (state) => waitTimedOut(state, event));
    case 'ApprovalRequested':
      return onTimeline(record, (state) => approvalRequested(state, event));
    case 'ApprovalResolved':
      return record;
    case 'ExecutionCompleted':
    case 'ExecutionFailed':
    case 'ExecutionCancelled':
    case 'ExecutionTimedOut':
      return ended(record, event, at);
    case 'ExecutionRetried':
      return retried(record, event, at);
  }
}

const withView = (record: ExecutionRecord, change: Partial<ExecutionView>): ExecutionRecord => ({ ...record, view: { ...record.view, ...change } });

/** Applies a timeline change, then derives running/waiting from the new timeline. */
function onTimeline(record: ExecutionRecord, change: (state: TimelineState) => TimelineState): ExecutionRecord {
  const { steps, ...fold } = change({ steps: record.view.steps, ...record.fold });
  return settle({ ...record, view: { ...record.view, steps }, fold });
}

function settle(record: ExecutionRecord): ExecutionRecord {
  return withView(record, { status: activityOf({ steps: record.view.steps, ...record.fold }) });
}

// Events come from our own store, decided and validated by the engine; this guards the shape only.
function asExecutionEvent(event: RecordedEvent): ExecutionEvent {
  if (!isExecutionEventType(event.type)) throw new Error(`unknown execution event type ${event.type}`);
  if (typeof event.data !== 'object' || event.data === null) throw new Error(`${event.type} without data`);
  return { type: event.type, data: event.data } as ExecutionEvent;
}
