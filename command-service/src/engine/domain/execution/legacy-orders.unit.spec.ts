import type { ExecutionEvent, JsonRecord } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { Driver } from './spec-driver.js';
import { legacyDefinition } from './spec-fixtures.js';

const requests = (d: Driver, kind?: string): unknown[] =>
  d.history.flatMap((event: ExecutionEvent) => (event.type === 'EffectRequested' && (kind === undefined || event.data.kind === kind) ? [event.data.request] : []));
const decisionOf = (d: Driver) => (d.state.status === 'completed' ? d.state.decision : d.state.status);

describe('legacy: high-value-order-approval', () => {
  const definition = legacyDefinition('high-value-order-approval');
  const run = (order: JsonRecord, customer: JsonRecord): Driver => {
    const d = Driver.start(definition, { payload: { order: { id: 'o-42', ...order } } });
    d.complete({ values: { 'customer.profile': { name: 'Ada Lovelace', ...customer }, 'order.details': { items: [{ sku: 'A' }, { sku: 'B' }] } } }, 'load_context');
    return d;
  };

  it('allows an order under the threshold', () => {
    const d = run({ total: 500 }, { tier: 'silver' });
    expect(d.timeline()).toEqual(['check_order_value:completed', 'allow_order:completed']);
    expect(decisionOf(d)).toBe('allowed');
  });

  it('allows a high-value order from a gold customer', () => {
    const d = run({ total: 15000 }, { tier: 'gold' });
    expect(d.timeline()).toEqual(['check_order_value:completed', 'check_customer_tier:completed', 'allow_order:completed']);
    expect(decisionOf(d)).toBe('allowed');
  });

  it('blocks a high-value order from another tier and asks a sales manager, notifying on two channels', () => {
    const d = run({ total: 15000 }, { tier: 'silver' });
    d.completeAll();
    expect(d.timeline()).toEqual(['check_order_value:completed', 'check_customer_tier:completed', 'require_approval:completed']);
    expect(decisionOf(d)).toBe('blocked');
    const approval = d.history.find((event) => event.type === 'ApprovalRequested');
    expect(approval?.data).toMatchObject({
      approver_role: 'sales_manager',
      entity: 'order',
      entity_id: 'o-42',
      reason: 'High value order requires approval',
      data: { customer_name: 'Ada Lovelace', order_total: 15000, order_items_count: 2 },
      blocking: false,
    });
    expect(requests(d, 'notify')).toEqual([
      { recipients: ['role:sales_manager'], message: 'Order o-42 requires approval - $15000 from Ada Lovelace. Approval link: ' },
      { recipients: ['slack:#sales-approvals'], message: '🚨 Order o-42 requires approval - $15000 from Ada Lovelace' },
    ]);
    // The approval's later decision belongs to the approval, not to this finished execution.
    expect(d.resolve('approved', (approval?.data as { approval_id: string }).approval_id)).toEqual([]);
  });

  it('fails when the customer tier is unknown (a missing field is an evaluation error)', () => {
    const d = run({ total: 15000 }, {});
    expect(d.state.status === 'failed' && d.state.error.kind).toBe('evaluation');
  });
});

describe('legacy: order-processing-with-timeout', () => {
  const definition = legacyDefinition('order-processing-with-timeout');
  const run = (total: number, risk: number): Driver => {
    const d = Driver.start(definition, { payload: { order: { id: 'o-1', total } } });
    d.complete({ values: { 'customer.profile': { risk_score: risk } } }, 'load_context');
    return d;
  };

  it('processes the payment of a valid low-risk order and notifies', () => {
    const d = run(250, 20);
    expect(requests(d, 'http_request')).toEqual([
      { url: 'https://payment-gateway.example.com/process', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { order_id: 'o-1', amount: 250 } },
    ]);
    expect(d.effect().deadline).toBe('2024-05-01T10:02:00.000Z');
    d.completeAll();
    expect(d.timeline()).toEqual(['validate-order:completed', 'check-fraud:completed', 'process-payment:completed']);
    expect(requests(d, 'notify')).toEqual([{ recipients: ['orders@example.com'], message: 'Payment processed for order o-1' }]);
    expect(decisionOf(d)).toBe('executed');
  });

  it('blocks a risky order for manual review', () => {
    const d = run(250, 85).completeAll();
    expect(d.timeline()).toEqual(['validate-order:completed', 'check-fraud:completed', 'request-manual-review:completed']);
    expect(decisionOf(d)).toBe('blocked');
  });

  it('rejects a negative total', () => {
    const d = run(-5, 10);
    expect(d.timeline()).toEqual(['validate-order:completed', 'reject-order:completed']);
    expect(decisionOf(d)).toBe('blocked');
  });

  it('fails when the payment gateway does not answer within the step timeout of 2m', () => {
    const d = run(250, 20);
    d.fire('step_timeout');
    expect(d.state.status === 'failed' && d.state.error).toEqual({ kind: 'timeout', message: 'step process-payment exceeded its timeout' });
  });

  it('times out after 5m when the context never loads', () => {
    const d = Driver.start(definition, { payload: { order: { id: 'o-1', total: 1 } } });
    d.fire('execution_timeout');
    expect(d.state.status).toBe('timed_out');
  });
});

describe('legacy: cart-fraud-detection', () => {
  const definition = legacyDefinition('cart-fraud-detection');
  const profile = { id: 'cu-1', account_age_days: 3, verified: false, billing_address: { country: 'FR' } };
  const run = (cart: JsonRecord, activity: JsonRecord): Driver => {
    const d = Driver.start(definition, { payload: { cart: { id: 'cart-9' } } });
    d.complete({ values: { 'cart.details': { total: 6200, shipping_address: { country: 'FR' }, ...cart }, 'customer.profile': profile, 'customer.recent_activity': activity } }, 'load_context');
    return d;
  };

  it('allows checkout when every check passes and the fraud API answers', () => {
    const d = run({}, { carts_created_last_hour: 2 });
    expect(d.effect('http_request').request).toEqual({
      url: 'https://fraud-api.example.com/check',
      method: 'POST',
      headers: { Authorization: 'Bearer \uFDD0secrets.fraud_api_token\uFDD1' },
      body: { customer_id: 'cu-1', cart_total: 6200, device_fingerprint: null },
    });
    d.complete({ status: 200, body: { score: 3 } });
    expect(d.timeline()).toEqual(['parallel_fraud_checks:completed', 'check_velocity:completed', 'check_high_value_items:completed', 'check_shipping_address:completed', 'check_external_fraud_api:completed', 'allow_checkout:completed']);
    expect(decisionOf(d)).toBe('allowed');
  });

  it('flags for review when a check is false: blocks, asks a fraud analyst, pages, flags the customer', () => {
    const d = run({}, { carts_created_last_hour: 9 });
    d.later(1).complete({ status: 200 }, 'http_request');
    d.completeAll();
    expect(d.timeline().at(-1)).toBe('flag_for_review:completed');
    expect(decisionOf(d)).toBe('blocked');
    expect(d.history.find((event) => event.type === 'ApprovalRequested')?.data).toMatchObject({ approver_role: 'fraud_analyst', entity: 'cart', entity_id: 'cart-9', expires_at: '2024-05-01T14:00:01.000Z' });
    expect(requests(d, 'notify')).toEqual([{ recipients: ['pagerduty:fraud-team'], message: 'URGENT: Potential fraud detected for cart cart-9' }]);
    expect(requests(d, 'update_record')).toEqual([{ event_type: 'record.update_requested', entity: 'customer', entity_id: 'cu-1', data: { fraud_flag: true, flagged_at: '2024-05-01T10:00:01.000Z' } }]);
  });

  it('retries the fraud API on 5xx with exponential backoff, then flags for review', () => {
    const d = run({}, { carts_created_last_hour: 1 });
    const down = { kind: 'http_5xx' as const, message: 'unavailable', status: 503 };
    d.fail(down, 'http_request');
    expect(d.work.timers.find((timer) => timer.kind === 'step_retry')?.due_at).toBe('2024-05-01T10:00:01.000Z');
    d.fire('step_retry');
    d.fail(down, 'http_request');
    expect(d.work.timers.find((timer) => timer.kind === 'step_retry')?.due_at).toBe('2024-05-01T10:00:03.000Z');
    d.fire('step_retry');
    d.fail(down, 'http_request');
    d.completeAll();
    expect(d.history.find((event) => event.type === 'StepCompleted' && event.data.step_id === 'parallel_fraud_checks')).toBeUndefined();
    expect(d.timeline().at(-1)).toBe('flag_for_review:completed');
    expect(decisionOf(d)).toBe('blocked');
  });

  it('does not retry a 4xx answer (retry_on is timeout and 5xx)', () => {
    const d = run({}, { carts_created_last_hour: 1 });
    d.fail({ kind: 'http_4xx', message: 'bad request', status: 400 }, 'http_request');
    expect(d.work.timers.filter((timer) => timer.kind === 'step_retry')).toEqual([]);
    d.completeAll();
    expect(d.timeline()).toContain('flag_for_review:completed');
  });
});
