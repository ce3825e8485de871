import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../runner/testing/fixture.js';
import type { ApiClient, Reply } from '../runtime/testing/http.js';
import { after, apiClient, bodyOf, itemField } from '../runtime/testing/http.js';
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

describe('an approval whose execution ended before anyone decided it', () => {
  const gated = (workflowId: string, event: string, extra: Record<string, unknown> = {}) =>
    legacyWorkflow(workflowId, {
      trigger: { type: 'event', event },
      steps: [
        { id: 'ask', type: 'approval', approval: { approver_role: 'deal_desk', expires_in: '1d' }, on_approved: 'allow' },
        { id: 'allow', type: 'action', action: { type: 'allow' } },
      ],
      ...extra,
    });
  const inboxIds = async (headers?: Record<string, string>) =>
    (ok(await admin.get('/approvals?status=pending&approver_role=deal_desk', headers)).items ?? []).map((item) => item['approval_id']);

  async function waitingOnApproval(eventType: string, dealId: string): Promise<{ executionId: string; approvalId: string }> {
    const ingest = await admin.post('/events?wait=true', { event_type: eventType, payload: { deal: { id: dealId } } });
    const [started] = ok(ingest, 202)['executions'] as { execution_id: string }[];
    const inbox = await eventually(
      () => admin.get(`/approvals?status=pending&execution_id=${started!.execution_id}`, after(ingest)),
      (reply) => (bodyOf(reply).items ?? []).length === 1,
    );
    return { executionId: started!.execution_id, approvalId: String(bodyOf(inbox).items![0]!['approval_id']) };
  }

  async function expectUndecidable(approvalId: string): Promise<void> {
    const before = await system.eventCount();
    for (const verb of ['approve', 'reject']) {
      const refused = await admin.post(`/approvals/${approvalId}/${verb}`, { comment: 'too late' });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(bodyOf(refused)['type']).toMatch(/approval-decided$/);
    }
    // Nothing appended: no decision, no approval.* business event, nothing sent to the execution.
    expect(await system.eventCount()).toBe(before);
  }

  it('is withdrawn by the cancel: read back at the cancel’s position, gone from the pending lists and the cached inbox; deciding it is a 422', async () => {
    ok(await admin.post('/workflows', gated('deal_gate', 'deal.submitted')), 201);
    const { executionId, approvalId } = await waitingOnApproval('deal.submitted', 'D-1');
    expect(await inboxIds()).toContain(approvalId);

    const cancelled = await admin.post(`/executions/${executionId}/cancel`, { reason: 'deal lost' });
    expect(ok(cancelled)).toMatchObject({ status: 'cancelled' });
    const read = ok(await admin.get(`/approvals/${approvalId}`, after(cancelled)));
    expect(read).toMatchObject({
      approval_id: approvalId,
      execution_id: executionId,
      workflow_id: 'deal_gate',
      status: 'withdrawn',
      approver_role: 'deal_desk',
      entity: 'deal',
      entity_id: 'D-1',
      decided_by: null,
      comment: null,
      blocking: true,
    });
    expect(Date.parse(String(read['decided_at']))).not.toBeNaN();
    for (const field of ['reason', 'data', 'expires_at', 'created_at']) expect(read).toHaveProperty(field);
    expect(await inboxIds(after(cancelled))).not.toContain(approvalId);
    // Without X-Min-Position the inbox comes from the cached pending set (filled by the read
    // before the cancel), which the projector updates just after its commit.
    await eventually(() => inboxIds(), (ids) => !ids.includes(approvalId));
    expect(itemField(await admin.get(`/approvals?status=withdrawn&execution_id=${executionId}`, after(cancelled)), 'approval_id')).toEqual([approvalId]);

    await expectUndecidable(approvalId);
    expect(ok(await admin.get(`/executions/${executionId}`, after(cancelled)))).toMatchObject({ status: 'cancelled' });
  });

  it('is withdrawn when the execution times out', async () => {
    ok(await admin.post('/workflows', gated('deal_clock', 'deal.quoted', { timeout: '1s' })), 201);
    const { executionId, approvalId } = await waitingOnApproval('deal.quoted', 'D-2');
    const withdrawn = await eventually(async () => ok(await admin.get(`/approvals/${approvalId}`)), (read) => read['status'] === 'withdrawn', 15_000);
    expect(withdrawn).toMatchObject({ status: 'withdrawn', decided_by: null });
    expect(ok(await admin.get(`/executions/${executionId}`))).toMatchObject({ status: 'timed_out' });
    await eventually(() => inboxIds(), (ids) => !ids.includes(approvalId));
    await expectUndecidable(approvalId);
  });
});

