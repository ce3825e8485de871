import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../runner/testing/fixture.js';
import type { ApiClient, Reply } from '../runtime/testing/http.js';
import { after, apiClient, bodyOf } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';

let system: TestSystem;
let admin: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('commands_to_reads', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  admin = apiClient(system.app, await system.tokenFor('a', ['admin', 'sales_manager']));
});

afterAll(async () => {
  await system?.close();
});

const ok = (reply: Reply, status = 200): Record<string, unknown> & { items?: Record<string, unknown>[] } => {
  expect(reply.statusCode, reply.body).toBe(status);
  return bodyOf(reply);
};

describe('from commands to the engine read models', () => {
  it('an ingested event, the execution it starts, its approval and the decision, read back at once', async () => {
    const workflow = legacyWorkflow('big_orders', {
      steps: [
        { id: 'check_total', type: 'condition', condition: { field: 'order.total', operator: 'gt', value: 1000 }, on_true: 'ask', on_false: 'allow' },
        { id: 'ask', type: 'approval', approval: { approver_role: 'sales_manager', expires_in: '1d' }, on_approved: 'allow' },
        { id: 'allow', type: 'action', action: { type: 'allow' } },
      ],
    });
    ok(await admin.post('/workflows', workflow), 201);
    const ingest = await admin.post('/events?wait=true', { event_type: 'order.created', event_id: 'ev-big-1', payload: { order: { id: 'o-1', total: 5000 } } });
    const [started] = ok(ingest, 202)['executions'] as { execution_id: string; status: string }[];
    expect(started).toMatchObject({ status: 'waiting' });

    expect(ok(await admin.get('/events/ev-big-1', after(ingest)))).toMatchObject({
      event_type: 'order.created',
      payload: { order: { id: 'o-1', total: 5000 } },
      executions: [{ execution_id: started!.execution_id, workflow_id: 'big_orders' }],
    });
    const waiting = ok(await admin.get(`/executions/${started!.execution_id}`, after(ingest)));
    expect(waiting).toMatchObject({ status: 'waiting', current_step_id: 'ask', trigger_event_id: 'ev-big-1', context: { order: { total: 5000 } } });
    expect((waiting['steps'] as { step_id: string; status: string }[]).map((step) => `${step.step_id}:${step.status}`)).toEqual(['check_total:completed', 'ask:waiting']);

    const inbox = ok(await admin.get('/approvals?status=pending&approver_role=sales_manager', after(ingest)));
    expect(inbox.items).toMatchObject([{ execution_id: started!.execution_id, workflow_id: 'big_orders', step_id: 'ask', status: 'pending', blocking: true }]);
    const approvalId = String(inbox.items![0]!['approval_id']);
    const decision = await admin.post(`/approvals/${approvalId}/approve`, { comment: 'go' });
    ok(decision);

    const decided = await admin.get(`/approvals/${approvalId}`, after(decision));
    expect(ok(decided)).toMatchObject({ status: 'approved', comment: 'go', decided_by: 'a-user' });
    expect(ok(await admin.get('/approvals?status=pending&approver_role=sales_manager', after(decision))).items).toEqual([]);
    // The runtime hands the decision to the execution after the approval's answer: poll for it.
    const done = await eventually(() => admin.get(`/executions/${started!.execution_id}`), (reply) => bodyOf(reply)['status'] === 'completed');
    expect(ok(done)).toMatchObject({ decision: 'allowed', current_step_id: null, error: null });
    expect((bodyOf(done)['steps'] as { step_id: string; status: string }[]).map((step) => `${step.step_id}:${step.status}`)).toEqual([
      'check_total:completed',
      'ask:completed',
      'allow:completed',
    ]);
    expect(ok(await admin.get(`/executions?workflow_id=big_orders&status=completed&decision=allowed`)).items).toHaveLength(1);
  });

  it('rules written through the command API are read back; a deleted one disappears', async () => {
    const created = await admin.post('/rules', { rule_id: 'vip', name: 'VIP', condition: { field: 'customer.tier', operator: 'eq', value: 'gold' } });
    ok(created, 201);
    expect(ok(await admin.get('/rules/vip', after(created)))).toMatchObject({ rule_id: 'vip', name: 'VIP', revision: 0 });
    const removed = await admin.delete('/rules/vip');
    ok(removed);
    expect((await admin.get('/rules/vip', after(removed))).statusCode).toBe(404);
  });
});
