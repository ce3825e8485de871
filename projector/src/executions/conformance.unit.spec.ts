import { describe, expect, it } from 'vitest';
import type { ExecutionView, JsonRecord } from '@iwf/contracts';
import type { ExecutionState } from '@iwf/command-service/engine/domain/execution/index';
import { evolve, initialState } from '@iwf/command-service/engine/domain/execution/index';
import { Driver, definitionOf } from '@iwf/command-service/engine/domain/execution/spec-driver';
import { legacyDefinition } from '@iwf/command-service/engine/domain/execution/spec-fixtures';
import type { ExecutionRecord } from './fold.js';
import { evolveExecution } from './fold.js';
import { recordStream } from './testing/record.js';

/**
 * The read model keeps its own fold; these specs drive the real engine and check, after every
 * event it appends, that the projection shows what the aggregate's state says. Deliberate
 * differences: a completed run shows no error, and a timed-out execution carries one.
 */

function readSide(view: ExecutionView) {
  return {
    status: view.status,
    decision: view.decision,
    context: view.context,
    completed_at: view.completed_at,
    duration_ms: view.duration_ms,
    error: view.status === 'timed_out' ? null : view.error,
    steps: view.steps.map(({ parent_run: _parent, ...step }) => step),
  };
}

function engineSide(state: Exclude<ExecutionState, { status: 'not_started' }>) {
  return {
    status: state.status,
    decision: state.decision,
    context: state.context,
    completed_at: 'completed_at' in state ? state.completed_at : null,
    duration_ms: 'duration_ms' in state ? state.duration_ms : null,
    error: state.status === 'failed' ? state.error : null,
    steps: state.steps.map((run) => ({
      run: run.run,
      step_id: run.step_id,
      type: run.step_type,
      path: run.path,
      status: run.status,
      started_at: run.started_at,
      completed_at: run.completed_at,
      attempts: run.attempts,
      output: run.output,
      error: run.status === 'completed' ? null : run.error,
    })),
  };
}

function expectSameAsEngine(d: Driver): ExecutionView {
  let record: ExecutionRecord | undefined;
  let state: ExecutionState = initialState;
  recordStream('execution', 't', 'ex-1', d.history).forEach((event, index) => {
    record = evolveExecution(record, 't', event) ?? record;
    state = evolve(state, d.history[index]!);
    if (state.status === 'not_started') throw new Error('the engine did not start');
    expect(readSide(record!.view), `after ${index}: ${event.type}`).toEqual(engineSide(state));
  });
  return record!.view;
}

describe('the read model folds engine histories as the engine does', () => {
  it('high-value orders: allowed, blocked with an approval request, failed on a missing field', () => {
    const definition = legacyDefinition('high-value-order-approval');
    for (const [total, tier] of [[500, 'silver'], [15000, 'gold'], [15000, 'silver'], [15000, undefined]] as const) {
      const d = Driver.start(definition, { payload: { order: { id: 'o-42', total } } });
      const profile: JsonRecord = tier === undefined ? { name: 'Ada' } : { name: 'Ada', tier };
      d.complete({ values: { 'customer.profile': profile, 'order.details': { items: [{ sku: 'A' }] } } }, 'load_context');
      d.completeAll();
      expectSameAsEngine(d);
    }
  });

  it('cart fraud checks: a parallel block, a retried API call, a flagged cart', () => {
    const definition = legacyDefinition('cart-fraud-detection');
    for (const carts of [2, 9]) {
      const d = Driver.start(definition, { payload: { cart: { id: 'cart-9' } } });
      const details = { total: 6200, shipping_address: { country: 'FR' } };
      const profile = { id: 'cu-1', account_age_days: 3, verified: false, billing_address: { country: 'FR' } };
      d.complete({ values: { 'cart.details': details, 'customer.profile': profile, 'customer.recent_activity': { carts_created_last_hour: carts } } }, 'load_context');
      d.fail({ kind: 'http_5xx', message: 'unavailable', status: 503 }, 'http_request');
      d.fire('step_retry');
      d.complete({ status: 200, body: { score: 3 } }, 'http_request');
      d.completeAll();
      expectSameAsEngine(d);
    }
  });

  it('a multi-level quote approval through two waits', () => {
    const d = Driver.start(legacyDefinition('quote-multi-level-approval'), {
      payload: { quote: { id: 'q-1', number: 'Q-100', total: 8000, discount_percentage: 10, has_custom_pricing: false, line_items: [{}] } },
    });
    d.complete({ values: { 'customer.profile': { name: 'Globex' }, 'sales_rep.profile': { name: 'Rita', email: 'r@x.io' } } }, 'load_context');
    d.completeAll();
    d.later(3600).deliver('quote.rep_reviewed', { quote: { id: 'q-1', rep_decision: 'approved' } });
    d.completeAll();
    d.later(600).deliver('quote.manager_reviewed', { quote: { id: 'q-1', manager_decision: 'approved' } });
    d.completeAll();
    expect(expectSameAsEngine(d).steps.filter((step) => step.type === 'wait')).toHaveLength(2);
  });

  it('a foreach over lines, a wait that times out, a failed execution retried to completion', () => {
    const lines = definitionOf([
      {
        id: 'each_line',
        type: 'foreach',
        foreach: { items: '{{order.lines}}', item_var: 'line', steps: [{ id: 'reserve', type: 'execute', execute: [{ type: 'http_request', url: 'https://stock.test/{{line.sku}}' }] }] },
        next: 'await_payment',
      },
      { id: 'await_payment', type: 'wait', wait: { event: 'payment.received', timeout: '1h' }, on_timeout: 'call_erp' },
      { id: 'call_erp', type: 'execute', execute: [{ type: 'http_request', url: 'https://erp.test' }] },
    ]);
    const d = Driver.start(lines, { payload: { order: { id: 'o-1', lines: [{ sku: 'A' }, { sku: 'B' }] } } });
    d.complete({ status: 200, body: { stock: { A: 1 } } });
    d.complete({ status: 200, body: { stock: { B: 0 } } });
    d.fire('wait_timeout');
    d.fail({ kind: 'http_4xx', message: 'refused', status: 409 });
    d.later(60).send({ type: 'RetryExecution', data: { by: 'ops', now: d.now } });
    d.complete({ status: 201, body: {} });
    const view = expectSameAsEngine(d);
    expect(view.steps.map((step) => [step.step_id, step.status])).toEqual([
      ['each_line', 'completed'],
      ['reserve', 'completed'],
      ['reserve', 'completed'],
      ['await_payment', 'timed_out'],
      ['call_erp', 'completed'],
    ]);
  });

  it.each([
    'cart-fraud-detection',
    'data-processing-with-timeout',
    'high-value-order-approval',
    'order-processing-with-timeout',
    'product-inventory-sync',
    'quote-expiration-management',
    'quote-multi-level-approval',
  ])('%s, run by an autopilot that answers every effect, approves, and lets timers fire', (fixture) => {
    const payload = {
      order: { id: 'o-1', total: 15000, risk_score: 80 },
      quote: { id: 'q-1', total: 8000, discount_percentage: 25, has_custom_pricing: true, expires_at: '2024-05-02T10:00:00.000Z' },
      cart: { id: 'cart-1' },
      product: { id: 'p-1', sku: 'SKU-1', stock: 3 },
      batch_id: 'b-1',
      integrations: { crm: { webhook_url: 'https://crm.test/hook' } },
    };
    const d = Driver.start(legacyDefinition(fixture), { payload });
    for (let turn = 0; turn < 100 && !['completed', 'failed', 'cancelled', 'timed_out'].includes(d.state.status); turn++) {
      const [effect] = d.work.effects;
      const [approval] = d.work.approvals;
      const [timer] = d.work.timers;
      if (effect) d.later(1).complete(effect.kind === 'load_context' ? { values: {}, resources: [] } : { status: 200, body: { records_count: 3 } }, effect.kind);
      else if (approval) d.later(60).resolve('approved', approval.approval_id);
      else if (timer) d.fire(timer.kind);
      else break;
    }
    expect(d.history.length).toBeGreaterThan(3);
    expectSameAsEngine(d);
  });

  it('a cancelled execution waiting on an approval', () => {
    const d = Driver.start(definitionOf([{ id: 'ask', type: 'approval', approval: { approver_role: 'boss', expires_in: '1d' }, on_approved: 'ok' }, { id: 'ok', type: 'action', action: { type: 'allow' } }]), {
      payload: { order: { id: 'o-1' } },
    });
    d.completeAll();
    d.later(5).send({ type: 'CancelExecution', data: { by: 'ops', reason: null, now: d.now } });
    expect(expectSameAsEngine(d)).toMatchObject({ status: 'cancelled', steps: [{ status: 'cancelled' }] });
  });
});
