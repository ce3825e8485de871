import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '@iwf/contracts';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';

let system: EngineTestSystem;

beforeAll(async () => {
  system = await startEngineSystem('workflow_routes');
});

afterAll(async () => {
  await system?.close();
});

describe('publishing a workflow', () => {
  it("refuses a loop through a wait's on_error with a 400 at the branch closing it, and appends nothing", async () => {
    const document = {
      workflow_id: 'spinner', version: '1', name: 'spinner', trigger: { type: 'event', event: 'order.created' },
      steps: [
        { id: 'w1', type: 'wait', wait: { event: 'order.paid', timeout: '1h' }, next: 'done', on_error: 'note' },
        { id: 'note', type: 'execute', execute: [{ type: 'log', message: 'no order id' }], next: 'w1' },
        { id: 'done', type: 'action', action: { type: 'allow' } },
      ],
    };
    const refused = await system.call('POST', '/workflows', document);
    expect(refused.status).toBe(400);
    expect(refused.body['errors']).toEqual([{ pointer: '/steps/1/next', message: expect.stringContaining('on_error') }]);
    expect(await system.store.readStream(streamId('workflow', system.tenant, 'spinner'))).toEqual([]);
  });
});
