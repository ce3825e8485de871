import { describe, expect, it } from 'vitest';
import { Driver, definitionOf } from './spec-driver.js';

// The foreach body: reserve each line, then log it.
const withBody = (items = '{{order.lines}}') =>
  definitionOf([
    {
      id: 'each_line',
      type: 'foreach',
      foreach: {
        items,
        item_var: 'line',
        steps: [
          { id: 'reserve', type: 'execute', execute: [{ type: 'http_request', url: 'https://stock.test/{{line.sku}}', body: { qty: '{{line.qty}}', index: '{{_index}}' } }], next: 'note' },
          { id: 'note', type: 'execute', execute: [{ type: 'log', message: 'line {{_index}} {{line.sku}} of {{order.id}}' }] },
        ],
      },
      next: 'done',
    },
    { id: 'done', type: 'action', action: { type: 'allow' } },
  ]);

const order = { order: { id: 'o-1', lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }, { sku: 'C', qty: 3 }] } };

describe('foreach step', () => {
  it('runs the body once per item, one iteration after another, with the item and _index in scope', () => {
    const d = Driver.start(withBody(), { payload: order });
    const requests: unknown[] = [];
    while (d.work.effects.length > 0) {
      expect(d.work.effects).toHaveLength(1);
      requests.push(d.effect().request);
      d.complete();
    }
    expect(requests).toEqual(['A', 'B', 'C'].map((sku, index) => ({ url: `https://stock.test/${sku}`, method: 'POST', headers: {}, body: { qty: index + 1, index } })));
    expect(d.timeline()).toEqual(['each_line:completed', 'reserve:completed', 'note:completed', 'reserve:completed', 'note:completed', 'reserve:completed', 'note:completed', 'done:completed']);
    const paths = d.state.status === 'completed' ? d.state.steps.map((entry) => entry.path) : [];
    expect(paths.slice(1, 4)).toEqual([['each_line', 0, 'reserve'], ['each_line', 0, 'note'], ['each_line', 1, 'reserve']]);
    const logs = d.history.flatMap((event) => (event.type === 'EffectRequested' && event.data.kind === 'log' ? [event.data.request] : []));
    expect(logs).toEqual([0, 1, 2].map((index) => ({ message: `line ${index} ${'ABC'[index]} of o-1`, level: 'info' })));
    // The loop variables are in scope only: they never land in the context.
    expect(d.state.status === 'completed' && Object.keys(d.state.context).sort()).toEqual(['event', 'order']);
  });

  it('gives each iteration its own idempotency keys', () => {
    const d = Driver.start(withBody(), { payload: order });
    const keys: string[] = [];
    while (d.work.effects.length > 0) {
      keys.push(d.effect().idempotency_key);
      d.complete();
    }
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toBe('ex-1:0/0:reserve:0:0');
  });

  it('goes straight to next for an empty list', () => {
    const d = Driver.start(withBody(), { payload: { order: { lines: [] } } });
    expect(d.timeline()).toEqual(['each_line:completed', 'done:completed']);
  });

  it('fails with an evaluation error when items is not a list', () => {
    const d = Driver.start(withBody(), { payload: { order: { lines: 'A,B' } } });
    expect(d.state.status === 'failed' && d.state.error).toEqual({ kind: 'evaluation', message: 'foreach items {{order.lines}} is string, not a list' });
    const missing = Driver.start(withBody(), { payload: {} });
    expect(missing.state.status === 'failed' && missing.state.error.message).toBe('foreach items {{order.lines}} is nothing, not a list');
  });

  it('refuses more items than the bound', () => {
    const d = Driver.start(withBody(), { payload: { order: { lines: Array.from({ length: 1001 }, (_, index) => ({ sku: `S${index}` })) } } });
    expect(d.state.status === 'failed' && d.state.error.kind).toBe('invalid');
  });

  it('stops at a failed iteration and fails the foreach with its error', () => {
    const d = Driver.start(withBody(), { payload: order });
    d.complete();
    d.fail({ kind: 'http_4xx', message: 'unknown sku', status: 404 });
    expect(d.timeline()).toEqual(['each_line:failed', 'reserve:completed', 'note:completed', 'reserve:failed']);
    expect(d.state.status === 'failed' && d.state.error).toEqual({ kind: 'http_4xx', message: 'unknown sku', status: 404 });
  });

  it('runs the whole loop again when the foreach step is retried, with the same keys', () => {
    const definition = withBody();
    const step = { ...definition.steps[0]!, retry: { max_attempts: 2, backoff: 'fixed' as const, retry_on: ['4xx' as const] } };
    const d = Driver.start({ ...definition, steps: [step, ...definition.steps.slice(1)] }, { payload: order });
    const firstKey = d.effect().idempotency_key;
    d.complete();
    d.fail({ kind: 'http_4xx', message: 'busy', status: 409 });
    d.fire('step_retry');
    expect(d.effect().idempotency_key).toBe(firstKey);
    d.completeAll();
    expect(d.state.status).toBe('completed');
    const foreachRun = d.state.status === 'completed' ? d.state.steps[0] : undefined;
    expect(foreachRun).toMatchObject({ step_id: 'each_line', status: 'completed', attempts: 2 });
  });
});
