import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStreamId } from '@iwf/contracts';
import { startEngineSystem, type EngineTestSystem } from './testing/system.js';
import { createWorkflow, effectRequests, ingestOne, legacyFixture, startWorld, stepsRun, type World } from './testing/world.js';

let world: World;
let system: EngineTestSystem;

beforeAll(async () => {
  world = await startWorld(['fraud-api.example.com', 'erp.example.com', 'shop.example.com']);
  system = await startEngineSystem('fx_cart', { ...world.env, IWF_SECRET_FRAUD_API_TOKEN: 'tok-fraud-5ecret' });
  await createWorkflow(system, legacyFixture('cart-fraud-detection.json'));
  await createWorkflow(system, legacyFixture('product-inventory-sync.json'));
});

afterAll(async () => {
  await system?.close();
  await world?.close();
});

/** Integration events the workflow published for the system of record. */
async function integrationEvents(entity: string): Promise<Record<string, unknown>[]> {
  const result = await system.pool.query<{ stream_id: string; type: string; data: Record<string, unknown> }>(
    "SELECT stream_id, type, data FROM iwf_events.events WHERE stream_id LIKE 'integration:%' ORDER BY position",
  );
  return result.rows.filter((row) => parseStreamId(row.stream_id)?.id === entity).map((row) => ({ type: row.type, ...row.data }));
}

describe('cart-fraud-detection', () => {
  const checkout = (cartId: string, profile: Record<string, unknown>) => {
    world.enrich({
      'cart.details': { id: cartId, total: 6_000, shipping_address: { country: 'FR' } },
      'customer.profile': { id: 'C-1', account_age_days: 3, verified: false, billing_address: { country: 'FR' }, ...profile },
    });
    return ingestOne(system, 'cart.checkout.started', { cart: { id: cartId } });
  };

  it('allows the checkout when every parallel check passes, calling the fraud API with its token', async () => {
    const before = world.to('fraud-api.example.com').length;
    const started = await checkout('K-1', { carts_created_last_hour: 1 });
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    const events = await system.execution(started.execution_id);
    expect(stepsRun(events)).toEqual(expect.arrayContaining(['check_velocity', 'check_high_value_items', 'check_shipping_address', 'check_external_fraud_api', 'parallel_fraud_checks', 'allow_checkout']));
    expect(stepsRun(events).at(-1)).toBe('allow_checkout');
    const [call] = world.to('fraud-api.example.com').slice(before);
    expect(call).toMatchObject({ method: 'POST', path: '/fraud-api.example.com/check', body: { customer_id: 'C-1', cart_total: 6_000, device_fingerprint: null } });
    expect(call?.headers['authorization']).toBe('Bearer tok-fraud-5ecret');
  });

  it('blocks a cart created too fast, asks a fraud analyst, pages the fraud team and flags the customer', async () => {
    const pagesBefore = world.to('pagerduty').length;
    const started = await checkout('K-2', { carts_created_last_hour: 9 });
    expect(started).toMatchObject({ status: 'completed', decision: 'blocked' });
    const events = await system.execution(started.execution_id);
    expect(stepsRun(events).at(-1)).toBe('flag_for_review');
    expect(effectRequests(events, 'create_approval_request')[0]).toMatchObject({ approver_role: 'fraud_analyst', entity: 'cart', entity_id: 'K-2' });
    expect(world.to('pagerduty').slice(pagesBefore).map((request) => request.body)).toEqual([
      {
        routing_key: 'routing-key-test',
        event_action: 'trigger',
        dedup_key: expect.any(String),
        payload: { summary: 'URGENT: Potential fraud detected for cart K-2', source: 'fraud-team', severity: 'critical' },
      },
    ]);
    const flags = await integrationEvents('customer');
    expect(flags.at(-1)).toMatchObject({ type: 'record.update_requested', entity: 'customer', entity_id: 'C-1', data: { fraud_flag: true }, execution_id: started.execution_id });
  });
});

describe('product-inventory-sync', () => {
  const change = (sku: string, available: number) => {
    world.enrich({
      'product.details': { id: `id-${sku}`, sku, name: `Product ${sku}` },
      'product.reorder_settings': { reorder_point: 10, reorder_quantity: 40, preferred_supplier: 'SUP-1' },
    });
    const integrations = { erp: { webhook_url: 'https://erp.example.com/reorders' }, storefront: { webhook_url: 'https://shop.example.com/stock' } };
    return ingestOne(system, 'product.inventory.changed', { product: { available_quantity: available }, integrations });
  };
  const hooks = () => ({ erp: world.to('erp.example.com').length, shop: world.to('shop.example.com').length, slack: world.to('slack').length });

  it('reorders low stock, drafts a purchase order and marks the product available', async () => {
    const before = hooks();
    const started = await change('S-1', 4);
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['check_low_stock', 'trigger_reorder', 'check_oversell_risk', 'update_inventory_status', 'allow_workflow']);
    expect(world.to('erp.example.com').slice(before.erp).map((request) => request.body)).toEqual([
      { event: 'reorder_required', product_id: 'id-S-1', product_sku: 'S-1', current_quantity: 4, reorder_quantity: 40, supplier_id: 'SUP-1' },
    ]);
    expect((await integrationEvents('purchase_order')).at(-1)).toMatchObject({ type: 'record.create_requested', entity_id: null, data: { product_id: 'id-S-1', quantity: 40, status: 'draft' } });
    expect(world.to('shop.example.com').slice(before.shop).map((request) => (request.body as { event: string }).event)).toEqual(['product_inventory_updated']);
  });

  it('stops sales of a product out of stock and tells Slack', async () => {
    const before = hooks();
    const started = await change('S-2', 0);
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['check_low_stock', 'trigger_reorder', 'check_oversell_risk', 'prevent_overselling', 'allow_workflow']);
    expect(world.to('shop.example.com').slice(before.shop).map((request) => (request.body as { event: string }).event)).toEqual(['product_out_of_stock']);
    expect((world.to('slack').slice(before.slack)[0]?.body as { text: string }).text).toBe('⚠️ Product S-2 - Product S-2 is now OUT OF STOCK');
    expect((await integrationEvents('product')).at(-1)).toMatchObject({ entity_id: 'id-S-2', data: { available_for_sale: false, out_of_stock: true } });
  });

  it('only updates the status of a well-stocked product', async () => {
    const before = hooks();
    const started = await change('S-3', 50);
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['check_low_stock', 'check_oversell_risk', 'update_inventory_status', 'allow_workflow']);
    expect(world.to('erp.example.com').length).toBe(before.erp);
  });
});
