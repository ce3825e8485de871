import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '@iwf/contracts';
import { startReceiver, type Receiver } from '../engine/runtime/testing/receiver.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, stepsRun } from '../engine/runtime/testing/world.js';
import { settle } from '../engine/runtime/settle.js';
import { currentStatus } from '../ingest/ingest.js';

let system: EngineTestSystem;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  system = await startEngineSystem('executions', { OUTBOUND_HOST_MAP: `ledger.example.com=${receiver.url}` });
  await createWorkflow(system, {
    workflow_id: 'refund', version: '1', name: 'refund', trigger: { type: 'manual' },
    steps: [
      { id: 'big', type: 'condition', condition: { field: 'amount', operator: 'gt', value: 100 }, on_true: 'hold', on_false: 'pay' },
      { id: 'hold', type: 'wait', wait: { event: 'refund.reviewed', timeout: '1h', match: { field: 'refund_id' } }, next: 'pay' },
      { id: 'pay', type: 'action', action: { type: 'allow' }, execute: [{ type: 'http_request', url: 'https://ledger.example.com/pay', body: { amount: '{{amount}}' } }] },
    ],
  });
});

afterAll(async () => {
  await system?.close();
  await receiver?.close();
});

const start = (payload: unknown, query = '?wait=true', roles?: string[]) => system.call('POST', `/workflows/refund/executions${query}`, { payload }, roles ? { roles } : {});

describe('manual start', () => {
  it('starts an execution with the payload as its context, pinned to the current revision', async () => {
    const reply = await start({ amount: 20, refund_id: 'R-1' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ workflow_id: 'refund', status: 'completed', decision: 'allowed', revision: expect.any(Number), position: expect.any(String) });
    const [started] = await system.execution(String(reply.body['execution_id']));
    expect(started?.data).toMatchObject({ workflow_revision: 1, trigger: { kind: 'manual', started_by: 'tester' }, context: { amount: 20, refund_id: 'R-1' } });
  });

  it('refuses unknown and disabled workflows, and callers who may not start executions', async () => {
    expect((await system.call('POST', '/workflows/nope/executions', { payload: {} })).status).toBe(404);
    expect((await start({}, '', ['workflow_viewer'])).status).toBe(403);
    await system.call('POST', '/workflows/refund/disable');
    const disabled = await start({ amount: 1 });
    expect(disabled.status).toBe(422);
    expect(disabled.body['type']).toMatch(/workflow-disabled$/);
    await system.call('POST', '/workflows/refund/enable');
  });
});

describe('manual start with If-Match', () => {
  it('starts only the workflow revision the client saw: another is a 412 that starts nothing, a malformed one a 400', async () => {
    const revision = (await system.store.readStream(streamId('workflow', system.tenant, 'refund'))).at(-1)?.stream_revision ?? -1;
    const executions = async () => Number((await system.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM iwf_events.events WHERE type = 'ExecutionStarted'")).rows[0]?.n);
    const before = await executions();
    const stale = await system.call('POST', '/workflows/refund/executions', { payload: { amount: 1 } }, { headers: { 'if-match': `"${revision + 1}"` } });
    expect(stale.status).toBe(412);
    expect(stale.body['type']).toMatch(/precondition-failed$/);
    const malformed = await system.call('POST', '/workflows/refund/executions', { payload: { amount: 1 } }, { headers: { 'if-match': 'latest' } });
    expect(malformed.status).toBe(400);
    expect(await executions()).toBe(before);

    const started = await system.call('POST', '/workflows/refund/executions', { payload: { amount: 1, refund_id: 'R-9' } }, { headers: { 'if-match': `W/"${revision}"` } });
    expect(started.status).toBe(201);
    expect(await executions()).toBe(before + 1);
    expect((await system.call('POST', '/workflows/nope/executions', { payload: {} }, { headers: { 'if-match': '"0"' } })).status).toBe(404);
  });
});

describe('cancel', () => {
  it('cancels a waiting execution once; a second cancel is a 422', async () => {
    const waiting = await start({ amount: 500, refund_id: 'R-2' });
    expect(waiting.body['status']).toBe('waiting');
    const id = String(waiting.body['execution_id']);
    const cancelled = await system.call('POST', `/executions/${id}/cancel`, { reason: 'customer withdrew' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ execution_id: id, status: 'cancelled' });
    expect((await system.execution(id)).at(-1)).toMatchObject({ type: 'ExecutionCancelled', data: { by: 'tester', reason: 'customer withdrew' } });
    expect((await system.call('POST', `/executions/${id}/cancel`)).status).toBe(422);
    // Its wait is gone from the index: the review event resumes nothing.
    const review = await system.call('POST', '/events', { event_type: 'refund.reviewed', payload: { refund_id: 'R-2' } });
    expect(review.body['resumed']).toEqual([]);
  });

  it('answers 404 for an execution that does not exist', async () => {
    expect((await system.call('POST', '/executions/00000000-0000-0000-0000-000000000000/cancel')).status).toBe(404);
  });
});

describe('retry', () => {
  it('resumes a failed execution from its failed step, and only a failed one', async () => {
    receiver.respond(() => ({ status: 502 }));
    const failed = await start({ amount: 30, refund_id: 'R-3' });
    expect(failed.body['status']).toBe('failed');
    const id = String(failed.body['execution_id']);
    receiver.respond(() => ({ status: 200, body: {} }));
    const withReason = await system.call('POST', `/executions/${id}/retry`, { reason: 'takes none' });
    expect(withReason.status).toBe(400);
    expect(withReason.body['errors']).toEqual([expect.objectContaining({ pointer: '/reason' })]);
    const retried = await system.call('POST', `/executions/${id}/retry`, null); // null says nothing, like no body
    expect(retried.status).toBe(200);
    const done = await settled(id);
    expect(done).toBe('completed');
    expect(stepsRun(await system.execution(id))).toEqual(['big', 'pay']);
    const again = await system.call('POST', `/executions/${id}/retry`);
    expect(again.status).toBe(422);
  });
});

describe('If-Match on cancel and retry', () => {
  const command = (id: string, verb: 'cancel' | 'retry', ifMatch: string) => system.call('POST', `/executions/${id}/${verb}`, undefined, { headers: { 'if-match': ifMatch } });
  const eventCount = async (id: string) => (await system.execution(id)).length;

  it('cancels only at the revision the client read; another is a 412 that appends nothing, a malformed one a 400', async () => {
    const waiting = await start({ amount: 500, refund_id: 'R-5' });
    const id = String(waiting.body['execution_id']);
    const revision = Number(waiting.body['revision']);
    const before = await eventCount(id);
    for (const stale of [`"${revision - 1}"`, `"${revision + 1}"`]) {
      const refused = await command(id, 'cancel', stale);
      expect(refused.status, stale).toBe(412);
      expect(refused.body['type'], stale).toMatch(/precondition-failed$/);
    }
    const malformed = await command(id, 'cancel', String(revision));
    expect(malformed.status).toBe(400);
    expect(malformed.body['errors']).toEqual([expect.objectContaining({ pointer: '/headers/if-match' })]);
    expect(await eventCount(id)).toBe(before);

    const cancelled = await command(id, 'cancel', `W/"${revision}"`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', revision: revision + 1 });
  });

  it('a refusal that holds at any revision answers first: an unknown execution is a 404, an ended one a 422', async () => {
    expect((await command('00000000-0000-0000-0000-000000000000', 'cancel', '"0"')).status).toBe(404);
    const done = await start({ amount: 10, refund_id: 'R-6' });
    expect(done.body['status']).toBe('completed');
    const ended = await command(String(done.body['execution_id']), 'cancel', `"${Number(done.body['revision']) - 1}"`);
    expect(ended.status).toBe(422);
  });

  it('holds across replicas: the revision another replica wrote is accepted, the one it replaced is a 412', async () => {
    const replica = await system.replica();
    receiver.respond(() => ({ status: 502 }));
    const failed = await start({ amount: 40, refund_id: 'R-7' });
    expect(failed.body['status']).toBe('failed');
    const id = String(failed.body['execution_id']);
    // The other replica retries; the step fails again there. This replica still holds the first failure.
    await replica.runner.send(system.tenant, id, { type: 'RetryExecution', data: { by: 'elsewhere' } }, { actor: 'elsewhere' });
    const elsewhere = await currentStatus({ runner: replica.runner }, system.tenant, id, 'refund');
    expect((await settle({ bus: replica.bus, runner: replica.runner, pollMs: 20 }, elsewhere, Date.now() + 5_000)).status).toBe('failed');
    const fresh = (await system.execution(id)).at(-1)?.stream_revision ?? -1;
    expect(fresh).toBeGreaterThan(Number(failed.body['revision']));

    const stale = await command(id, 'retry', `"${String(failed.body['revision'])}"`);
    expect(stale.status).toBe(412);
    expect(await eventCount(id)).toBe(fresh + 1);

    receiver.respond(() => ({ status: 200, body: {} }));
    const retried = await command(id, 'retry', `"${fresh}"`);
    expect(retried.status).toBe(200);
    expect(await settled(id)).toBe('completed');
  });

  it('an execution another replica ended answers 422 to the revision this replica last saw, not 412', async () => {
    const replica = await system.replica();
    const waiting = await start({ amount: 700, refund_id: 'R-8' });
    expect(waiting.body['status']).toBe('waiting');
    const id = String(waiting.body['execution_id']);
    await replica.runner.send(system.tenant, id, { type: 'CancelExecution', data: { by: 'elsewhere', reason: null } }, { actor: 'elsewhere' });
    const count = await eventCount(id);

    // This replica's cache still has it waiting at the revision the client holds.
    const late = await command(id, 'cancel', `"${String(waiting.body['revision'])}"`);
    expect(late.status).toBe(422);
    expect(await eventCount(id)).toBe(count);
  });
});

/** The execution's status once nothing is running (the retry's effect is performed in the background). */
async function settled(executionId: string): Promise<string> {
  const now = await currentStatus({ runner: system.engine.runner }, system.tenant, executionId, 'refund');
  return (await settle({ bus: system.engine.bus, runner: system.engine.runner, pollMs: 20 }, now, Date.now() + 5_000)).status;
}
