import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '@iwf/contracts';
import { startEngineSystem, type EngineTestSystem } from './testing/system.js';
import { createWorkflow, effectOutcomes, effectRequests, ingestOne, legacyFixture, startWorld, stepsRun, type World } from './testing/world.js';

let world: World;
let system: EngineTestSystem;

beforeAll(async () => {
  world = await startWorld(['api.example.com', 'processing.example.com', 'payment-gateway.example.com']);
  system = await startEngineSystem('fx_orders', world.env);
  for (const file of ['high-value-order-approval.json', 'order-processing-with-timeout.json', 'data-processing-with-timeout.json']) {
    await createWorkflow(system, legacyFixture(file));
  }
});

afterAll(async () => {
  await system?.close();
  await world?.close();
});

describe('high-value-order-approval', () => {
  const checkout = (id: string, total: number, tier: string) => {
    world.enrich({ 'customer.profile': { name: 'Ann Lee', tier }, 'order.details': { items: [{ sku: 'a' }, { sku: 'b' }] } });
    return ingestOne(system, 'order.checkout.initiated', { order: { id, total } });
  };

  it('allows an order under the threshold without asking anyone', async () => {
    const started = await checkout('O-1', 500, 'silver');
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['check_order_value', 'allow_order']);
  });

  it('allows a large order from a gold customer', async () => {
    const started = await checkout('O-2', 15_000, 'gold');
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['check_order_value', 'check_customer_tier', 'allow_order']);
  });

  it('blocks a large order from another customer, asks a sales manager and tells Slack', async () => {
    const slackBefore = world.to('slack').length;
    const started = await checkout('O-3', 15_000, 'silver');
    expect(started).toMatchObject({ status: 'completed', decision: 'blocked' });
    const events = await system.execution(started.execution_id);
    expect(stepsRun(events)).toEqual(['check_order_value', 'check_customer_tier', 'require_approval']);
    const [approval] = effectRequests(events, 'create_approval_request');
    expect(approval).toMatchObject({ approver_role: 'sales_manager', entity: 'order', entity_id: 'O-3', data: { customer_name: 'Ann Lee', order_total: 15_000, order_items_count: 2 } });
    const approvalEvents = await system.store.readStream(streamId('approval', system.tenant, String(approval?.['approval_id'])));
    expect(approvalEvents.map((event) => event.type)).toEqual(['ApprovalCreated']);
    // role: recipients have no channel; Slack is configured and gets the message.
    expect(effectOutcomes(events, 'notify')).toEqual([
      { deliveries: [{ recipient: 'role:sales_manager', status: 'skipped', error: 'role recipients have no delivery channel' }] },
      { deliveries: [{ recipient: 'slack:#sales-approvals', status: 'sent' }] },
    ]);
    expect(world.to('slack').slice(slackBefore).map((request) => request.body)).toEqual([
      { channel: '#sales-approvals', text: '🚨 Order O-3 requires approval - $15000 from Ann Lee' },
    ]);
  });
});

describe('order-processing-with-timeout', () => {
  const order = (id: string, total: number, risk: number) => {
    world.enrich({ 'customer.profile': { risk_score: risk } });
    return ingestOne(system, 'order.created', { order: { id, total } });
  };

  it('processes the payment of a low-risk order and emails orders@', async () => {
    const before = world.to('payment-gateway.example.com').length;
    const started = await order('P-1', 120, 10);
    expect(started).toMatchObject({ status: 'completed', decision: 'executed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['validate-order', 'check-fraud', 'process-payment']);
    const [payment] = world.to('payment-gateway.example.com').slice(before);
    expect(payment).toMatchObject({ method: 'POST', path: '/payment-gateway.example.com/process', body: { order_id: 'P-1', amount: 120 } });
    expect(world.to('email').at(-1)?.body).toMatchObject({ to: 'orders@example.com', text: 'Payment processed for order P-1' });
  });

  it('blocks a high-risk order for manual review', async () => {
    const started = await order('P-2', 120, 85);
    expect(started).toMatchObject({ status: 'completed', decision: 'blocked' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['validate-order', 'check-fraud', 'request-manual-review']);
    expect(world.to('email').at(-1)?.body).toMatchObject({ to: 'fraud@example.com', text: 'Order P-2 flagged for manual review' });
  });

  it('rejects a negative total', async () => {
    const started = await order('P-3', -5, 10);
    expect(started).toMatchObject({ status: 'completed', decision: 'blocked' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['validate-order', 'reject-order']);
  });

  it('bounds the execution by its 5m timeout while it runs', async () => {
    const started = await order('P-4', 120, 10);
    const events = await system.execution(started.execution_id);
    const first = events[0]?.data as { started_at: string; timeout_at: string };
    expect(Date.parse(first.timeout_at) - Date.parse(first.started_at)).toBe(300_000);
  });
});

describe('data-processing-with-timeout', () => {
  it('fetches the batch named by the event, processes its records and tells the data team', async () => {
    world.outside.respond((request) =>
      request.path.startsWith('/api.example.com/') ? { body: { data: { records_count: 2, records: [{ n: 1 }, { n: 2 }] } } } : { body: { ok: true } },
    );
    const started = await ingestOne(system, 'data.batch.ready', { batch_id: 'B-7' });
    expect(started).toMatchObject({ status: 'completed', decision: 'executed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['fetch-data', 'validate-data', 'process-data']);
    expect(world.to('api.example.com').at(-1)).toMatchObject({ method: 'GET', path: '/api.example.com/data/batch/B-7' });
    expect(world.to('processing.example.com').at(-1)?.body).toEqual({ batch_id: 'B-7', records: [{ n: 1 }, { n: 2 }] });
    expect(world.to('email').at(-1)?.body).toMatchObject({ to: 'data-team@example.com', text: 'Batch B-7 processed successfully' });
  });

  it('blocks an empty batch and logs it', async () => {
    world.outside.respond(() => ({ body: { data: { records_count: 0, records: [] } } }));
    const started = await ingestOne(system, 'data.batch.ready', { batch_id: 'B-8' });
    expect(started).toMatchObject({ status: 'completed', decision: 'blocked' });
    const events = await system.execution(started.execution_id);
    expect(stepsRun(events)).toEqual(['fetch-data', 'validate-data', 'log-error']);
    expect(effectRequests(events, 'log')).toEqual([{ message: 'Empty batch received: B-8', level: 'info' }]);
    world.outside.respond(() => ({ body: { ok: true } }));
  });
});
