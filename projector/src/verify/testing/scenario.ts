import type { ExecutionEvent, RuleConditions, WorkflowDefinitionBody } from '@iwf/contracts';
import { Driver, definitionOf } from '@iwf/command-service/engine/domain/execution/spec-driver';

/**
 * A recorded execution for the audit tooling's tests, decided by the real engine: a risk
 * call that fails once and is retried, a condition on a stored rule, an approval, a wait
 * for the payment, then allow. Each checkpoint names what an observer saw after it.
 */
export const REVIEW_RULES: RuleConditions = { 'big-order': { field: 'order.total', operator: 'gte', value: 1000 } };

export const orderReview: WorkflowDefinitionBody = definitionOf([
  {
    id: 'score',
    type: 'execute',
    execute: [{ type: 'http_request', url: 'https://risk.example/score' }],
    retry: { max_attempts: 2, backoff: 'fixed', initial_interval: '10s', retry_on: ['5xx'] },
    next: 'check',
  },
  { id: 'check', type: 'condition', rule_id: 'big-order', on_true: 'gate', on_false: 'ok' },
  { id: 'gate', type: 'approval', approval: { approver_role: 'sales_manager', reason: 'Order {{order.id}}', expires_in: '24h' }, on_approved: 'await', on_rejected: 'no' },
  { id: 'await', type: 'wait', wait: { event: 'payment.received', timeout: '1h' }, next: 'ok' },
  { id: 'ok', type: 'action', action: { type: 'allow' } },
  { id: 'no', type: 'action', action: { type: 'block', reason: 'rejected' } },
]);

export interface RecordedScenario {
  /** Every event, in order, as decisions appended them. */
  readonly events: readonly ExecutionEvent[];
  /** Each decision's events, in the order they were appended (one append each). */
  readonly decisions: readonly (readonly ExecutionEvent[])[];
}

export function recordOrderReview(total = 2500): RecordedScenario {
  const decisions: ExecutionEvent[][] = [];
  const d = Driver.start(orderReview, { payload: { order: { id: 'o-7', total } }, rules: REVIEW_RULES });
  decisions.push([...d.history]);
  decisions.push([...d.later(2).fail({ kind: 'http_5xx', message: 'risk service answered 503', status: 503 })]);
  decisions.push([...d.fire('step_retry')]);
  decisions.push([...d.later(1).complete({ status: 200, body: { risk: { score: 0.2 } } })]);
  decisions.push([...d.later(600).resolve('approved')]);
  decisions.push([...d.later(60).deliver('payment.received', { order: { id: 'o-7' }, amount: total }, 'evt-pay-1')]);
  return { events: d.history, decisions: decisions.filter((decision) => decision.length > 0) };
}
