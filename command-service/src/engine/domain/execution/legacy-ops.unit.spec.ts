import type { ExecutionEvent, JsonRecord } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { Driver, at } from './spec-driver.js';
import { legacyDefinition } from './spec-fixtures.js';

const requests = (d: Driver, kind: string): unknown[] =>
  d.history.flatMap((event: ExecutionEvent) => (event.type === 'EffectRequested' && event.data.kind === kind ? [event.data.request] : []));
const decisionOf = (d: Driver) => (d.state.status === 'completed' ? d.state.decision : d.state.status);

describe('legacy: data-processing-with-timeout', () => {
  const definition = legacyDefinition('data-processing-with-timeout');
  const start = () => Driver.start(definition, { payload: { batch_id: 'b-17' } });

  it('fetches the batch, processes its records and tells the data team', () => {
    const d = start();
    expect(d.effect().request).toEqual({ url: 'https://api.example.com/data/batch/b-17', method: 'GET', headers: {}, body: null });
    d.complete({ status: 200, body: { data: { records_count: 2, records: [{ n: 1 }, { n: 2 }] } } });
    expect(d.effect().request).toEqual({ url: 'https://processing.example.com/process', method: 'POST', headers: {}, body: { batch_id: 'b-17', records: [{ n: 1 }, { n: 2 }] } });
    d.completeAll();
    expect(d.timeline()).toEqual(['fetch-data:completed', 'validate-data:completed', 'process-data:completed']);
    expect(requests(d, 'notify')).toEqual([{ recipients: ['data-team@example.com'], message: 'Batch b-17 processed successfully' }]);
    expect(decisionOf(d)).toBe('executed');
  });

  it('blocks and logs an empty batch', () => {
    const d = start();
    d.complete({ status: 200, body: { data: { records_count: 0, records: [] } } });
    expect(d.timeline()).toEqual(['fetch-data:completed', 'validate-data:completed', 'log-error:completed']);
    expect(requests(d, 'log')).toEqual([{ message: 'Empty batch received: b-17', level: 'info' }]);
    expect(decisionOf(d)).toBe('blocked');
  });

  it('retries a fetch that times out (retry_on "*"), with exponential backoff, until it succeeds', () => {
    const d = start();
    d.fire('step_timeout');
    expect(d.work.timers.find((timer) => timer.kind === 'step_retry')?.due_at).toBe(at(121));
    d.fire('step_retry');
    d.fail({ kind: 'network', message: 'ECONNRESET' });
    expect(d.work.timers.find((timer) => timer.kind === 'step_retry')?.due_at).toBe(at(123));
    d.fire('step_retry');
    d.complete({ status: 200, body: { data: { records_count: 0 } } });
    expect(d.state.status === 'completed' && d.state.steps[0]).toMatchObject({ step_id: 'fetch-data', attempts: 3, status: 'completed' });
  });

  it('fails after three failed fetches', () => {
    const d = start();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      d.fail({ kind: 'http_5xx', message: 'busy', status: 503 });
      if (attempt < 3) d.fire('step_retry');
    }
    expect(d.state.status === 'failed' && d.state.error).toEqual({ kind: 'http_5xx', message: 'busy', status: 503 });
  });

  it('times the whole execution out after 10m', () => {
    const d = start();
    d.complete({ status: 200, body: { data: { records_count: 1, records: [] } } });
    expect(d.fire('execution_timeout')).toEqual([{ type: 'ExecutionTimedOut', data: { step_id: 'process-data', reason: 'execution_timeout', at: at(600), duration_ms: 600_000 } }]);
  });
});

describe('legacy: product-inventory-sync', () => {
  const definition = legacyDefinition('product-inventory-sync');
  const integrations = { erp: { webhook_url: 'https://erp.test/hook' }, storefront: { webhook_url: 'https://shop.test/hook' } };
  const run = (available: number): Driver => {
    const d = Driver.start(definition, { payload: { product: { id: 'p-1', sku: 'SKU-1', name: 'Widget' }, integrations } });
    const values: JsonRecord = {
      'product.details': { available_quantity: available },
      'product.reorder_settings': { reorder_point: 10, reorder_quantity: 50, preferred_supplier: 'sup-9' },
    };
    d.complete({ values }, 'load_context');
    return d.completeAll();
  };

  it('reorders low stock, then updates the inventory status', () => {
    const d = run(4);
    expect(d.timeline()).toEqual(['check_low_stock:completed', 'trigger_reorder:completed', 'check_oversell_risk:completed', 'update_inventory_status:completed', 'allow_workflow:completed']);
    expect(requests(d, 'webhook')[0]).toEqual({
      url: 'https://erp.test/hook',
      method: 'POST',
      headers: {},
      body: { event: 'reorder_required', product_id: 'p-1', product_sku: 'SKU-1', current_quantity: 4, reorder_quantity: 50, supplier_id: 'sup-9' },
    });
    expect(requests(d, 'create_record')).toEqual([
      { event_type: 'record.create_requested', entity: 'purchase_order', entity_id: null, data: { product_id: 'p-1', quantity: 50, supplier_id: 'sup-9', status: 'draft', created_by: 'workflow_automation' } },
    ]);
    expect(decisionOf(d)).toBe('allowed');
  });

  it('reorders and stops sales when out of stock', () => {
    const d = run(0);
    expect(d.timeline()).toEqual(['check_low_stock:completed', 'trigger_reorder:completed', 'check_oversell_risk:completed', 'prevent_overselling:completed', 'allow_workflow:completed']);
    expect(requests(d, 'notify').at(-1)).toEqual({ recipients: ['slack:#inventory-alerts'], message: '⚠️ Product SKU-1 - Widget is now OUT OF STOCK' });
  });

  it('only updates the status when stock is healthy', () => {
    const d = run(80);
    expect(d.timeline()).toEqual(['check_low_stock:completed', 'check_oversell_risk:completed', 'update_inventory_status:completed', 'allow_workflow:completed']);
    expect(decisionOf(d)).toBe('allowed');
  });
});
