import type {
  ApprovalRequested,
  ExecutionDecision,
  ExecutionError,
  ExecutionEvent,
  JsonRecord,
  StepDecision,
  StepPath,
  StepType,
  WorkflowDefinitionBody,
} from '@iwf/contracts';

/** Builders of execution events for tests: what the engine would append. `t(n)` is n seconds after a fixed start. */

const BASE = Date.parse('2024-07-01T09:00:00.000Z');
export const t = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();

const DEFINITION: WorkflowDefinitionBody = {
  trigger: { type: 'event', event: 'order.created' },
  steps: [{ id: 'decide', type: 'action', action: { type: 'allow' } }],
};

export interface StartOptions {
  readonly workflow_id?: string;
  readonly at?: string;
  readonly context?: JsonRecord;
  readonly event_id?: string | null;
  readonly workflow_revision?: number;
}

export function started(execution_id: string, options: StartOptions = {}): ExecutionEvent {
  const at = options.at ?? t(0);
  const event_id = options.event_id === undefined ? `ev-${execution_id}` : options.event_id;
  const trigger = event_id === null ? { kind: 'manual' as const, started_by: 'alice' } : { kind: 'event' as const, event_id, event_type: 'order.created', source: 'shop' };
  const event = event_id === null ? {} : { event: { id: event_id, type: 'order.created', source: 'shop', received_at: at } };
  return {
    type: 'ExecutionStarted',
    data: {
      execution_id,
      workflow_id: options.workflow_id ?? 'orders',
      workflow_revision: options.workflow_revision ?? 1,
      workflow_version: '1.0.0',
      definition: DEFINITION,
      trigger,
      context: { ...(options.context ?? {}), ...event },
      started_at: at,
      timeout_at: null,
    },
  };
}

interface Ref {
  readonly thread?: string;
  readonly path?: StepPath;
  readonly attempt?: number;
}

const ref = (run: number, step_id: string, options: Ref = {}) => ({ run, step_id, path: options.path ?? [step_id] });

export const stepStarted = (run: number, step_id: string, step_type: StepType, at: string, options: Ref = {}): ExecutionEvent => ({
  type: 'StepStarted',
  data: { ...ref(run, step_id, options), thread: options.thread ?? 'main', step_type, attempt: options.attempt ?? 1, at },
});

export const conditionEvaluated = (run: number, step_id: string, result: boolean | null, at: string, options: Ref = {}): ExecutionEvent => ({
  type: 'ConditionEvaluated',
  data: { ...ref(run, step_id, options), result, rule_id: null, trace: { result }, at },
});

export const stepCompleted = (run: number, step_id: string, next: string | null, at: string, output: unknown = null, options: Ref = {}): ExecutionEvent => ({
  type: 'StepCompleted',
  data: { ...ref(run, step_id, options), output, next, at },
});

export const stepFailed = (
  run: number,
  step_id: string,
  error: ExecutionError,
  at: string,
  options: Ref & { retry_at?: string | null; next?: string | null } = {},
): ExecutionEvent => ({
  type: 'StepFailed',
  data: { ...ref(run, step_id, options), attempt: options.attempt ?? 1, error, retry_at: options.retry_at ?? null, next: options.next ?? null, at },
});

export const decisionMade = (run: number, step_id: string, decision: StepDecision, at: string): ExecutionEvent => ({
  type: 'DecisionMade',
  data: { ...ref(run, step_id), decision, reason: `${decision} by ${step_id}`, at },
});

export const effectRequested = (effect_id: string, run: number | null, step_id: string | null, kind: 'http_request' | 'notify' | 'load_context', request: unknown, at: string): ExecutionEvent => ({
  type: 'EffectRequested',
  data: {
    effect_id,
    run,
    step_id,
    path: step_id === null ? [] : [step_id],
    item_index: 0,
    kind,
    request,
    idempotency_key: `key-${effect_id}`,
    deadline: null,
    unresolved: [],
    at,
  },
});

export const effectCompleted = (effect_id: string, result: unknown, at: string): ExecutionEvent => ({ type: 'EffectCompleted', data: { effect_id, result, at } });
export const effectFailed = (effect_id: string, error: ExecutionError, at: string): ExecutionEvent => ({ type: 'EffectFailed', data: { effect_id, error, at } });

export const parallelStarted = (run: number, step_id: string, branches: readonly string[], at: string): ExecutionEvent => ({
  type: 'ParallelStarted',
  data: { ...ref(run, step_id), strategy: 'all_must_pass', branches, at },
});

export const foreachStarted = (run: number, step_id: string, items: readonly unknown[], at: string): ExecutionEvent => ({
  type: 'ForeachStarted',
  data: { ...ref(run, step_id), item_var: 'line', items, at },
});

export const iterationStarted = (run: number, step_id: string, index: number, at: string): ExecutionEvent => ({
  type: 'IterationStarted',
  data: { ...ref(run, step_id), index, at },
});

export const waitStarted = (run: number, step_id: string, event_type: string, match_value: unknown, at: string): ExecutionEvent => ({
  type: 'WaitStarted',
  data: { ...ref(run, step_id), event_type, match_field: 'order.id', match_value, timeout_at: null, at },
});

export const waitEventDelivered = (run: number, step_id: string, payload: JsonRecord, at: string): ExecutionEvent => ({
  type: 'WaitEventDelivered',
  data: { ...ref(run, step_id), event_id: `delivered-${run}`, event_type: 'payment.received', payload, at },
});

export const waitTimedOut = (run: number, step_id: string, at: string): ExecutionEvent => ({ type: 'WaitTimedOut', data: { ...ref(run, step_id), at } });

export function approvalRequested(run: number, step_id: string, approval_id: string, at: string, blocking = true): ExecutionEvent {
  const data: ApprovalRequested['data'] = {
    ...ref(run, step_id),
    approval_id,
    approver_role: 'sales_manager',
    entity: 'order',
    entity_id: 'o-1',
    reason: 'Large order',
    data: { amount: 5000 },
    expires_at: t(86_400),
    blocking,
    at,
  };
  return { type: 'ApprovalRequested', data };
}

export const approvalResolved = (run: number, step_id: string, approval_id: string, at: string): ExecutionEvent => ({
  type: 'ApprovalResolved',
  data: { ...ref(run, step_id), approval_id, status: 'approved', decided_by: 'bob', comment: 'fine', at },
});

const duration = (from: string, to: string): number => Date.parse(to) - Date.parse(from);

export const completed = (decision: ExecutionDecision, at: string, from = t(0)): ExecutionEvent => ({
  type: 'ExecutionCompleted',
  data: { decision, at, duration_ms: duration(from, at) },
});

export const failed = (step_id: string | null, error: ExecutionError, at: string, from = t(0)): ExecutionEvent => ({
  type: 'ExecutionFailed',
  data: { step_id, path: step_id === null ? [] : [step_id], error, at, duration_ms: duration(from, at) },
});

export const cancelled = (at: string, from = t(0)): ExecutionEvent => ({
  type: 'ExecutionCancelled',
  data: { by: 'alice', reason: 'not needed', at, duration_ms: duration(from, at) },
});

export const timedOut = (step_id: string | null, at: string, from = t(0)): ExecutionEvent => ({
  type: 'ExecutionTimedOut',
  data: { step_id, reason: 'execution_timeout', at, duration_ms: duration(from, at) },
});

export const retried = (from_step_id: string, run: number, at: string): ExecutionEvent => ({
  type: 'ExecutionRetried',
  data: { from_step_id, run, by: 'alice', at },
});

const TIME_FIELDS = ['at', 'started_at', 'retry_at', 'expires_at', 'timeout_at'] as const;

/** The same history, `seconds` later: every time the events carry moves, durations stay. */
export function shiftTimes(events: readonly ExecutionEvent[], seconds: number): ExecutionEvent[] {
  const shift = (text: string): string => new Date(Date.parse(text) + seconds * 1000).toISOString();
  return events.map((event) => {
    const data: Record<string, unknown> = { ...event.data };
    for (const field of TIME_FIELDS) {
      const value = data[field];
      if (typeof value === 'string') data[field] = shift(value);
    }
    return { ...event, data } as ExecutionEvent;
  });
}
