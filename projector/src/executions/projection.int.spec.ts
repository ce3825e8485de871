import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '@iwf/platform/cache/cache';
import { getExecution, getExecutionCounts } from '@iwf/query-service/executions/read-model';
import { executionsProjection } from './projection.js';
import * as e from './testing/execution-events.js';
import type { ReadModelHarness } from './testing/harness.js';
import { createReadModelHarness, dumpTable } from './testing/harness.js';
import { ERP_DOWN, failedWithRetries, nestedBlocks, orderApproval, statusLoop } from './testing/scenarios.js';

const T = 'acme';
let h: ReadModelHarness;

beforeAll(async () => {
  h = await createReadModelHarness('executions_projection');
  await h.append('execution', T, 'x-order', orderApproval('x-order'));
  await h.append('execution', T, 'x-erp', failedWithRetries('x-erp'));
  await h.append('execution', T, 'x-loop', statusLoop('x-loop'));
  await h.append('execution', T, 'x-nested', nestedBlocks('x-nested'));
});

afterAll(async () => {
  await h.close();
});

const step = (run: number, step_id: string, type: string, times: [number, number | null], output: unknown, extra: object = {}) => ({
  run,
  step_id,
  type,
  path: [step_id],
  parent_run: null,
  status: 'completed',
  started_at: e.t(times[0]),
  completed_at: times[1] === null ? null : e.t(times[1]),
  attempts: 1,
  output,
  error: null,
  ...extra,
});

describe('executions projection', () => {
  it('builds the API shape of a completed execution: context, decision and the timeline in run order', async () => {
    const updates = await h.project(executionsProjection, 7);
    const view = await getExecution(h.pool, T, 'x-order');
    expect(view).toEqual({
      execution_id: 'x-order',
      workflow_id: 'orders',
      workflow_revision: 1,
      workflow_version: '1.0.0',
      trigger_kind: 'event',
      trigger_event_id: 'ev-x-order',
      status: 'completed',
      decision: 'allowed',
      current_step_id: null,
      error: null,
      started_at: e.t(0),
      completed_at: e.t(90),
      duration_ms: 90_000,
      updated_at: e.t(90),
      revision: 21,
      context: {
        order: { id: 'o-1', amount: 5000 },
        customer: { id: 'c-9', tier: 'gold' },
        payment: { ref: 'p-7' },
        event: { id: 'ev-x-order', type: 'order.created', source: 'shop', received_at: e.t(0) },
      },
      steps: [
        step(0, 'check_amount', 'condition', [1, 1], { result: true }),
        step(1, 'lookup_customer', 'execute', [1, 2], { results: [{ status: 200 }] }),
        step(2, 'await_payment', 'wait', [2, 30], { event_id: 'delivered-2', event_type: 'payment.received' }),
        step(3, 'manager_approval', 'approval', [30, 90], { status: 'approved', decided_by: 'bob', comment: 'fine' }),
        step(4, 'allow', 'action', [90, 90], { results: [] }),
      ],
    });
    // The cache gets exactly what the database answers, once per execution and batch.
    const cached = updates.filter((update) => update.key === cacheKey(T, 'execution', 'x-order'));
    expect(cached[cached.length - 1]).toEqual({ key: cacheKey(T, 'execution', 'x-order'), revision: 21, value: view });
  });

  it('shows a failed step once, with its attempts and error, and the execution failed on it', async () => {
    expect(await getExecution(h.pool, T, 'x-erp')).toMatchObject({
      status: 'failed',
      decision: null,
      current_step_id: 'push_order',
      error: ERP_DOWN,
      duration_ms: 5000,
      steps: [step(0, 'push_order', 'execute', [1, 5], null, { status: 'failed', attempts: 2, error: ERP_DOWN })],
    });
  });

  it('lists a step that ran twice in a loop twice', async () => {
    const view = await getExecution(h.pool, T, 'x-loop');
    expect(view?.steps.map((entry) => [entry.run, entry.step_id, entry.output])).toEqual([
      [0, 'check_ready', { result: false }],
      [1, 'wait_update', { event_id: 'delivered-1', event_type: 'shipment.updated' }],
      [2, 'check_ready', { result: true }],
      [3, 'block_it', { results: [] }],
    ]);
    expect(view).toMatchObject({ status: 'completed', decision: 'blocked', context: { shipment: { id: 's-1', ready: true } } });
  });

  it('places nested runs by path and parent run; waits on an approval inside a foreach', async () => {
    const view = await getExecution(h.pool, T, 'x-nested');
    expect(view?.steps.map((entry) => [entry.step_id, entry.path, entry.parent_run, entry.status])).toEqual([
      ['checks', ['checks'], null, 'completed'],
      ['velocity', ['checks', 'velocity'], 0, 'completed'],
      ['geo', ['checks', 'geo'], 0, 'completed'],
      ['each_line', ['each_line'], null, 'running'],
      ['reserve', ['each_line', 0, 'reserve'], 3, 'completed'],
      ['reserve', ['each_line', 1, 'reserve'], 3, 'waiting'],
    ]);
    expect(view).toMatchObject({ status: 'waiting', current_step_id: 'reserve', completed_at: null, duration_ms: null });
  });

  it('gives the same rows whatever the batch size, and changes nothing when the log is applied again', async () => {
    const before = await dumpTable(h.pool, 'executions', 'tenant, execution_id');
    const counts = await dumpTable(h.pool, 'execution_counts', 'tenant, workflow_id, status');
    expect(await h.replay(executionsProjection, 1)).toEqual([]);
    expect(await h.replay(executionsProjection)).toEqual([]);
    expect(await dumpTable(h.pool, 'executions', 'tenant, execution_id')).toEqual(before);
    expect(await dumpTable(h.pool, 'execution_counts', 'tenant, workflow_id, status')).toEqual(counts);
    // A one-event-per-batch build of the same log in another tenant's copy matches this one.
    const other = await createReadModelHarness('executions_batches');
    try {
      await other.append('execution', T, 'x-order', orderApproval('x-order'));
      await other.project(executionsProjection, 1);
      expect(await getExecution(other.pool, T, 'x-order')).toEqual(await getExecution(h.pool, T, 'x-order'));
    } finally {
      await other.close();
    }
  });

  it('continues a stream across batches: a retried execution completes, and the counts follow', async () => {
    expect(await getExecutionCounts(h.pool, T, 'erp_sync')).toMatchObject({ failed: 1, running: 0, completed: 0, total: 1 });
    await h.append('execution', T, 'x-erp', [
      e.retried('push_order', 0, e.t(100)),
      e.stepStarted(0, 'push_order', 'execute', e.t(100), { attempt: 3 }),
      e.stepCompleted(0, 'push_order', null, e.t(101), { results: [{ status: 201 }] }),
      e.completed('executed', e.t(101)),
    ]);
    const updates = await h.project(executionsProjection);
    expect(updates.map((update) => [update.key, update.revision])).toEqual([[cacheKey(T, 'execution', 'x-erp'), 13]]);
    expect(await getExecution(h.pool, T, 'x-erp')).toMatchObject({
      status: 'completed',
      decision: 'executed',
      error: null,
      duration_ms: 101_000,
      steps: [{ status: 'completed', attempts: 3, error: null, completed_at: e.t(101) }],
    });
    expect(await getExecutionCounts(h.pool, T, 'erp_sync')).toMatchObject({ failed: 0, completed: 1, total: 1 });
    expect(await getExecutionCounts(h.pool, T, 'fulfil')).toMatchObject({ waiting: 1, total: 1 });
  });

  it('keeps tenants apart: the same execution id in another tenant is another execution', async () => {
    await h.append('execution', 'globex', 'x-order', statusLoop('x-order', { workflow_id: 'orders' }));
    await h.project(executionsProjection);
    expect((await getExecution(h.pool, 'globex', 'x-order'))?.decision).toBe('blocked');
    expect((await getExecution(h.pool, T, 'x-order'))?.decision).toBe('allowed');
    expect(await getExecution(h.pool, 'globex', 'x-erp')).toBeUndefined();
    expect(await getExecutionCounts(h.pool, 'globex', 'erp_sync')).toMatchObject({ total: 0 });
    expect(await getExecutionCounts(h.pool, 'globex', 'orders')).toMatchObject({ completed: 1, total: 1 });
  });

  it('stops on an event it cannot apply, naming it, and commits nothing of that batch', async () => {
    await h.append('execution', T, 'x-broken', [e.stepStarted(0, 'a', 'condition', e.t(1))]);
    await expect(h.project(executionsProjection)).rejects.toThrow(/projection executions failed on StepStarted execution:acme:x-broken@0 .*before the execution started/);
    expect(await getExecution(h.pool, T, 'x-broken')).toBeUndefined();
  });
});
