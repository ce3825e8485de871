import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../engine/runtime/testing/await.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne } from '../engine/runtime/testing/world.js';

/**
 * An event that arrives once its wait's deadline has come, before the timer fired (here no
 * worker runs timers, so it never does): the wait times out on the delivery instead, and the
 * ingest answer does not count the execution as resumed by the event.
 */
let system: EngineTestSystem;

beforeAll(async () => {
  system = await startEngineSystem('late_delivery', { ENGINE_WORKERS: 'false' });
  await createWorkflow(system, {
    workflow_id: 'late', version: '1', name: 'late', trigger: { type: 'event', event: 'order.created' },
    steps: [
      { id: 'await', type: 'wait', wait: { event: 'order.paid', timeout: '250ms' }, next: 'paid', on_timeout: 'unpaid' },
      { id: 'paid', type: 'action', action: { type: 'allow' } },
      { id: 'unpaid', type: 'action', action: { type: 'block' } },
    ],
  });
});

afterAll(async () => {
  await system?.close();
});

describe('a matching event delivered after the wait timed out, before its timer fired', () => {
  it('takes the timeout branch and is not reported as resuming the execution', async () => {
    const started = await ingestOne(system, 'order.created', { order: { id: 'L1' } });
    expect(started.status).toBe('waiting');
    const deadline = Date.now() + 300;
    while (Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, deadline - Date.now()));

    const reply = await system.call('POST', '/events?wait=true', { event_type: 'order.paid', payload: { order: { id: 'L1' } } });
    expect(reply.status).toBe(202);
    expect(reply.body['resumed']).toEqual([]);
    const events = await eventually(async () => {
      const recorded = await system.execution(started.execution_id);
      return recorded.some((event) => event.type === 'ExecutionCompleted') ? recorded : undefined;
    });
    const types = events.map((event) => event.type);
    expect(types).toContain('WaitTimedOut');
    expect(types).not.toContain('WaitEventDelivered');
    expect(events.find((event) => event.type === 'ExecutionCompleted')?.data).toMatchObject({ decision: 'blocked' });
  });
});
