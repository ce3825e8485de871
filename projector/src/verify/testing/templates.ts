import type { ApprovalEffectRequest, ApprovalEvent, ExecutionCommand, ExecutionEvent, WorkflowDefinitionBody } from '@iwf/contracts';
import type { ExecutionState } from '@iwf/command-service/engine/domain/execution/index';
import { decide, evolve, initialState, pendingWork } from '@iwf/command-service/engine/domain/execution/index';

/** Execution histories for generated load, decided by the real engine: exactly what it would record. */
const allow = { type: 'action', action: { type: 'allow' } } as const;
const block = { type: 'action', action: { type: 'block', reason: 'policy' } } as const;
const trigger = { type: 'event', event: 'order.created' } as const;

export const LOAD_WORKFLOWS: Readonly<Record<string, WorkflowDefinitionBody>> = {
  screen: { trigger, steps: [{ id: 'big', type: 'condition', condition: { field: 'order.total', operator: 'gte', value: 500 }, on_true: 'no', on_false: 'yes' }, { id: 'yes', ...allow }, { id: 'no', ...block }] },
  notify: { trigger, steps: [{ id: 'hook', type: 'execute', execute: [{ type: 'webhook', url: 'https://hooks.example/orders' }], next: 'yes' }, { id: 'yes', ...allow }] },
  flaky: { trigger, steps: [{ id: 'call', type: 'execute', execute: [{ type: 'http_request', url: 'https://erp.example/check' }], next: 'yes' }, { id: 'yes', ...allow }] },
  review: {
    trigger,
    steps: [{ id: 'gate', type: 'approval', approval: { approver_role: 'sales_manager', reason: 'Order {{order.id}}', expires_in: '24h' }, on_approved: 'yes', on_rejected: 'no' }, { id: 'yes', ...allow }, { id: 'no', ...block }],
  },
  slow: { trigger, steps: [{ id: 'pay', type: 'wait', wait: { event: 'payment.received', timeout: '1h' }, next: 'yes' }, { id: 'yes', ...allow }] },
};

export type Variant = 'screen-small' | 'screen-big' | 'notify' | 'flaky' | 'review-yes' | 'review-no' | 'slow';
export const VARIANTS: readonly Variant[] = ['screen-small', 'screen-big', 'notify', 'flaky', 'review-yes', 'review-no', 'slow'];

export interface Template {
  readonly workflow_id: string;
  readonly payload: { readonly order: { readonly id: string; readonly total: number } };
  readonly received_at: string;
  /** Each decision's events: one append each, as the engine appends them. */
  readonly decisions: readonly (readonly ExecutionEvent[])[];
  readonly approval: readonly ApprovalEvent[];
}

export function buildTemplate(variant: Variant, startAt: string, executionId = 'ex-1', eventId = 'ev-1'): Template {
  const workflow_id = variant.split('-')[0]!;
  const payload = { order: { id: 'o-1', total: variant === 'screen-big' ? 900 : 120 } };
  let now = startAt;
  const later = (ms: number): string => (now = new Date(Date.parse(now) + ms).toISOString());
  let state: ExecutionState = initialState;
  const decisions: ExecutionEvent[][] = [];
  const send = (command: ExecutionCommand): void => {
    const events = decide(command, state);
    for (const event of events) state = evolve(state, event);
    if (events.length > 0) decisions.push([...events]);
  };
  send({
    type: 'StartExecution',
    data: {
      execution_id: executionId, workflow_id, workflow_revision: 1, workflow_version: '1.0.0', definition: LOAD_WORKFLOWS[workflow_id]!,
      trigger: { kind: 'event', event_id: eventId, event_type: 'order.created', source: 'load' }, payload,
      event: { id: eventId, type: 'order.created', source: 'load', received_at: now }, now,
    },
  });
  const approval: ApprovalEvent[] = [];
  for (const effect of pendingWork(state).effects) {
    later(variant === 'notify' ? 1_500 : 250);
    if (effect.kind === 'create_approval_request') approval.push({ type: 'ApprovalCreated', data: { ...(effect.request as ApprovalEffectRequest), created_at: now } });
    const outcome = variant === 'flaky'
      ? { status: 'failed' as const, error: { kind: 'http_5xx' as const, message: 'erp answered 503', status: 503 } }
      : { status: 'completed' as const, result: { status: 200, body: {} } };
    send({ type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome, now } });
  }
  const pending = pendingWork(state);
  if (variant.startsWith('review-')) {
    const status = variant === 'review-yes' ? 'approved' : 'rejected';
    const approval_id = pending.approvals[0]!.approval_id;
    later(300_000);
    approval.push({ type: status === 'approved' ? 'ApprovalApproved' : 'ApprovalRejected', data: { approval_id, decided_by: 'manager-1', comment: null, at: now } });
    send({ type: 'ResolveApproval', data: { approval_id, status, decided_by: 'manager-1', comment: null, now } });
  }
  const timer = pending.timers.find((candidate) => candidate.kind === 'wait_timeout');
  if (variant === 'slow' && timer) send({ type: 'FireTimer', data: { kind: 'wait_timeout', timer_id: timer.timer_id, now: (now = timer.due_at) } });
  return { workflow_id, payload, received_at: startAt, decisions, approval };
}
