import type { ExecutionEvent } from '@iwf/contracts';
import * as e from './execution-events.js';

/** Realistic execution histories, as the engine appends them, for read-model tests. */

/**
 * A large order: amount check (condition), customer lookup (http_request whose answer joins
 * the context), a wait for the payment, a manager's approval, then allow.
 */
export function orderApproval(id: string, options: e.StartOptions = {}): ExecutionEvent[] {
  const approval = `${id}.apr-1`;
  return [
    e.started(id, { context: { order: { id: 'o-1', amount: 5000 }, customer: { id: 'c-9' } }, ...options }),
    e.stepStarted(0, 'check_amount', 'condition', e.t(1)),
    e.conditionEvaluated(0, 'check_amount', true, e.t(1)),
    e.stepCompleted(0, 'check_amount', 'lookup_customer', e.t(1), { result: true }),
    e.stepStarted(1, 'lookup_customer', 'execute', e.t(1)),
    e.effectRequested(`${id}:effect:1`, 1, 'lookup_customer', 'http_request', { url: 'https://crm.example/customers/c-9', method: 'GET', headers: {}, body: null }, e.t(1)),
    e.effectCompleted(`${id}:effect:1`, { status: 200, body: { customer: { tier: 'gold' } } }, e.t(2)),
    e.stepCompleted(1, 'lookup_customer', 'await_payment', e.t(2), { results: [{ status: 200 }] }),
    e.stepStarted(2, 'await_payment', 'wait', e.t(2)),
    e.waitStarted(2, 'await_payment', 'payment.received', 'o-1', e.t(2)),
    e.waitEventDelivered(2, 'await_payment', { payment: { ref: 'p-7' } }, e.t(30)),
    e.stepCompleted(2, 'await_payment', 'manager_approval', e.t(30), { event_id: 'delivered-2', event_type: 'payment.received' }),
    e.stepStarted(3, 'manager_approval', 'approval', e.t(30)),
    e.approvalRequested(3, 'manager_approval', approval, e.t(30)),
    e.effectRequested(`${id}:effect:2`, 3, 'manager_approval', 'notify', { recipients: ['slack:#sales'], message: 'approve?' }, e.t(30)),
    e.effectCompleted(`${id}:effect:2`, { deliveries: [] }, e.t(31)),
    e.approvalResolved(3, 'manager_approval', approval, e.t(90)),
    e.stepCompleted(3, 'manager_approval', 'allow', e.t(90), { status: 'approved', decided_by: 'bob', comment: 'fine' }),
    e.stepStarted(4, 'allow', 'action', e.t(90)),
    e.decisionMade(4, 'allow', 'allowed', e.t(90)),
    e.stepCompleted(4, 'allow', null, e.t(90), { results: [] }),
    e.completed('allowed', e.t(90)),
  ];
}

export const ERP_DOWN = { kind: 'http_5xx', message: 'ERP answered 503', status: 503 } as const;

/** An ERP call that fails twice (one retry) and fails the execution. */
export function failedWithRetries(id: string, options: e.StartOptions = {}): ExecutionEvent[] {
  return [
    e.started(id, { workflow_id: 'erp_sync', ...options }),
    e.stepStarted(0, 'push_order', 'execute', e.t(1)),
    e.effectRequested(`${id}:effect:1`, 0, 'push_order', 'http_request', { url: 'https://erp.example' }, e.t(1)),
    e.effectFailed(`${id}:effect:1`, ERP_DOWN, e.t(2)),
    e.stepFailed(0, 'push_order', ERP_DOWN, e.t(2), { retry_at: e.t(4) }),
    e.stepStarted(0, 'push_order', 'execute', e.t(4), { attempt: 2 }),
    e.effectRequested(`${id}:effect:2`, 0, 'push_order', 'http_request', { url: 'https://erp.example' }, e.t(4)),
    e.effectFailed(`${id}:effect:2`, ERP_DOWN, e.t(5)),
    e.stepFailed(0, 'push_order', ERP_DOWN, e.t(5), { attempt: 2 }),
    e.failed('push_order', ERP_DOWN, e.t(5)),
  ];
}

/** A status check that loops through a wait: the condition runs twice, then the flow blocks. */
export function statusLoop(id: string, options: e.StartOptions = {}): ExecutionEvent[] {
  return [
    e.started(id, { workflow_id: 'shipping', context: { shipment: { id: 's-1', ready: false } }, ...options }),
    e.stepStarted(0, 'check_ready', 'condition', e.t(1)),
    e.conditionEvaluated(0, 'check_ready', false, e.t(1)),
    e.stepCompleted(0, 'check_ready', 'wait_update', e.t(1), { result: false }),
    e.stepStarted(1, 'wait_update', 'wait', e.t(1)),
    e.waitStarted(1, 'wait_update', 'shipment.updated', 's-1', e.t(1)),
    e.waitEventDelivered(1, 'wait_update', { shipment: { ready: true } }, e.t(60)),
    e.stepCompleted(1, 'wait_update', 'check_ready', e.t(60), { event_id: 'delivered-1', event_type: 'shipment.updated' }),
    e.stepStarted(2, 'check_ready', 'condition', e.t(60)),
    e.conditionEvaluated(2, 'check_ready', true, e.t(60)),
    e.stepCompleted(2, 'check_ready', 'block_it', e.t(60), { result: true }),
    e.stepStarted(3, 'block_it', 'action', e.t(60)),
    e.decisionMade(3, 'block_it', 'blocked', e.t(60)),
    e.stepCompleted(3, 'block_it', null, e.t(60), { results: [] }),
    e.completed('blocked', e.t(60)),
  ];
}

/** A parallel block with two branches, then a foreach over two lines, left waiting in its second iteration. */
export function nestedBlocks(id: string, options: e.StartOptions = {}): ExecutionEvent[] {
  const inBranch = (root: string) => ({ thread: `0/${root}`, path: ['checks', root] });
  const inLine = (index: number) => ({ thread: `3/${index}`, path: ['each_line', index, 'reserve'] });
  return [
    e.started(id, { workflow_id: 'fulfil', ...options }),
    e.stepStarted(0, 'checks', 'parallel', e.t(1)),
    e.parallelStarted(0, 'checks', ['velocity', 'geo'], e.t(1)),
    e.stepStarted(1, 'velocity', 'condition', e.t(1), inBranch('velocity')),
    e.stepCompleted(1, 'velocity', null, e.t(1), { result: true }, inBranch('velocity')),
    e.stepStarted(2, 'geo', 'condition', e.t(1), inBranch('geo')),
    e.stepCompleted(2, 'geo', null, e.t(1), { result: true }, inBranch('geo')),
    e.stepCompleted(0, 'checks', 'each_line', e.t(1), { strategy: 'all_must_pass', branches: 2, passed: true }),
    e.stepStarted(3, 'each_line', 'foreach', e.t(2)),
    e.foreachStarted(3, 'each_line', [{ sku: 'a' }, { sku: 'b' }], e.t(2)),
    e.iterationStarted(3, 'each_line', 0, e.t(2)),
    e.stepStarted(4, 'reserve', 'approval', e.t(2), inLine(0)),
    e.stepCompleted(4, 'reserve', null, e.t(3), { status: 'approved' }, inLine(0)),
    e.iterationStarted(3, 'each_line', 1, e.t(3)),
    e.stepStarted(5, 'reserve', 'approval', e.t(3), inLine(1)),
    e.approvalRequested(5, 'reserve', `${id}.apr-line-1`, e.t(3)),
  ];
}
