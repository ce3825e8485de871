import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '@iwf/contracts';
import { ENGINE_EVENT_ID_PREFIX, engineIds, uuidFrom } from '../engine/runtime/ids.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne, stepsRun } from '../engine/runtime/testing/world.js';

let system: EngineTestSystem;

beforeAll(async () => {
  system = await startEngineSystem('approvals');
  await createWorkflow(system, {
    workflow_id: 'discount', version: '1', name: 'discount', trigger: { type: 'event', event: 'discount.requested' },
    steps: [
      { id: 'ask', type: 'approval', approval: { approver_role: 'sales_manager', reason: 'Discount over policy', expires_in: '1h' }, on_approved: 'grant', on_rejected: 'refuse' },
      { id: 'grant', type: 'action', action: { type: 'allow' } },
      { id: 'refuse', type: 'action', action: { type: 'block' } },
    ],
  });
  // Reacts to decisions through the business events they ingest.
  await createWorkflow(system, {
    workflow_id: 'audit_trail', version: '1', name: 'audit', trigger: { type: 'event', event: 'approval.*' },
    steps: [{ id: 'note', type: 'execute', execute: [{ type: 'log', message: '{{approval.status}} by {{approval.decided_by}}' }] }],
  });
});

afterAll(async () => {
  await system?.close();
});

async function pendingApproval(discountId: string): Promise<{ executionId: string; approvalId: string }> {
  const started = await ingestOne(system, 'discount.requested', { discount: { id: discountId } });
  expect(started).toMatchObject({ status: 'waiting', decision: null });
  const requested = (await system.execution(started.execution_id)).find((event) => event.type === 'ApprovalRequested');
  return { executionId: started.execution_id, approvalId: (requested?.data as { approval_id: string }).approval_id };
}

const decide = (approvalId: string, verb: 'approve' | 'reject', roles: string[], body: unknown = {}, headers: Record<string, string> = {}) =>
  system.call('POST', `/approvals/${approvalId}/${verb}`, body, { roles, actor: 'mia', headers });

const approvalEvents = async (approvalId: string): Promise<string[]> =>
  (await system.store.readStream(streamId('approval', system.tenant, approvalId))).map((event) => event.type);

describe('deciding an approval', () => {
  it('approving resumes the blocked execution down on_approved and ingests approval.approved with the approval and its entity', async () => {
    const { executionId, approvalId } = await pendingApproval('DS-1');
    const reply = await decide(approvalId, 'approve', ['approver', 'sales_manager'], { comment: 'fine by me' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ approval_id: approvalId, status: 'approved', decided_by: 'mia' });
    const events = await system.execution(executionId);
    expect(stepsRun(events)).toEqual(['ask', 'grant']);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionCompleted', data: { decision: 'allowed' } });
    expect(reply.body['position']).not.toBeNull();

    const ingested = await system.pool.query<{ data: { payload: Record<string, unknown>; executions: unknown[] } }>(
      "SELECT data FROM iwf_events.events WHERE type = 'EventIngested' AND data->>'event_type' = 'approval.approved'",
    );
    expect(ingested.rows).toHaveLength(1);
    expect(ingested.rows[0]?.data.payload).toMatchObject({
      approval: { approval_id: approvalId, status: 'approved', decided_by: 'mia', comment: 'fine by me', approver_role: 'sales_manager', entity: 'discount', entity_id: 'DS-1' },
      entity: { type: 'discount', id: 'DS-1' },
      discount: { id: 'DS-1' },
    });
    expect(ingested.rows[0]?.data.executions).toEqual([expect.objectContaining({ workflow_id: 'audit_trail' })]);
  });

  it('ingests its business event under an id no client may take first', async () => {
    const { approvalId } = await pendingApproval('DS-9');
    const reserved = engineIds.approvalEvent(system.tenant, approvalId, 'approved');
    expect(reserved.startsWith(ENGINE_EVENT_ID_PREFIX)).toBe(true);
    const noise = (event_id: string) => system.call('POST', '/events', { event_type: 'noise.happened', payload: {}, event_id }, { roles: ['workflow_manager'] });
    for (const taken of [reserved, reserved.toUpperCase()]) {
      const refused = await noise(taken);
      expect(refused.status, taken).toBe(400);
      expect((refused.body['errors'] as { pointer: string }[]).map((error) => error.pointer)).toEqual(['/event_id']);
    }
    // The bare name-based UUID is an id like any other a client may choose; it no longer collides.
    expect((await noise(uuidFrom('approval', system.tenant, approvalId, 'approved'))).status).toBe(202);

    expect((await decide(approvalId, 'approve', ['admin'])).status).toBe(200);
    const [recorded] = await system.store.readStream(streamId('ingest', system.tenant, reserved));
    expect(recorded?.data).toMatchObject({ event_type: 'approval.approved', executions: [expect.objectContaining({ workflow_id: 'audit_trail' })] });
  });

  it('does not ingest a second business event for a decision the previous version followed up under the unprefixed id', async () => {
    const { executionId, approvalId } = await pendingApproval('DS-10');
    const decidedAt = new Date(Date.now() - 5_000).toISOString();
    // What the previous version did: its follow-up ingest under the bare id (after the decision),
    // then (in this test's order, so that a repair running meanwhile sees both) the decision itself.
    const legacy = engineIds.legacyApprovalEvent(system.tenant, approvalId, 'approved');
    await system.engine.ingest(system.tenant, { event_type: 'approval.approved', payload: { approval: { approval_id: approvalId } }, source: 'approvals', event_id: legacy }, { actor: 'mia' });
    const stream = streamId('approval', system.tenant, approvalId);
    const head = (await system.store.readStream(stream)).length - 1;
    await system.store.append(stream, [{ event_id: randomUUID(), type: 'ApprovalApproved', data: { approval_id: approvalId, decided_by: 'mia', comment: null, at: decidedAt }, metadata: { tenant: system.tenant, actor: 'mia', correlation_id: 'previous-version' } }], head);

    await system.engine.approvals.ensureExpiry(system.tenant, approvalId); // what the repair subscription does
    expect(await system.store.readStream(streamId('ingest', system.tenant, engineIds.approvalEvent(system.tenant, approvalId, 'approved')))).toEqual([]);
    expect(stepsRun(await system.execution(executionId))).toEqual(['ask', 'grant']);
  });

  it('ingests the decision’s own event when a client took the unprefixed id before the decision', async () => {
    const { approvalId } = await pendingApproval('DS-11');
    const legacy = engineIds.legacyApprovalEvent(system.tenant, approvalId, 'approved');
    const early = await system.call('POST', '/events', { event_type: 'approval.approved', payload: {}, event_id: legacy }, { roles: ['workflow_manager'] });
    expect(early.status).toBe(202);
    expect((await decide(approvalId, 'approve', ['admin'])).status).toBe(200);
    const [own] = await system.store.readStream(streamId('ingest', system.tenant, engineIds.approvalEvent(system.tenant, approvalId, 'approved')));
    expect(own?.data).toMatchObject({ event_type: 'approval.approved', source: 'approvals' });
  });

  it('rejecting takes on_rejected', async () => {
    const { executionId, approvalId } = await pendingApproval('DS-2');
    expect((await decide(approvalId, 'reject', ['admin'])).body).toMatchObject({ status: 'rejected' });
    expect(stepsRun(await system.execution(executionId))).toEqual(['ask', 'refuse']);
  });

  it('needs the approver role (or admin): others get a 403 and change nothing', async () => {
    const { approvalId } = await pendingApproval('DS-3');
    const refused = await decide(approvalId, 'approve', ['approver', 'sales_rep']);
    expect(refused.status).toBe(403);
    const stream = await system.store.readStream(streamId('approval', system.tenant, approvalId));
    expect(stream.map((event) => event.type)).toEqual(['ApprovalCreated']);
  });

  it('a decided approval is a 422; an unknown one a 404', async () => {
    const { approvalId } = await pendingApproval('DS-4');
    expect((await decide(approvalId, 'approve', ['approver', 'sales_manager'])).status).toBe(200);
    const again = await decide(approvalId, 'reject', ['approver', 'sales_manager']);
    expect(again.status).toBe(422);
    expect(again.body['type']).toMatch(/approval-decided$/);
    expect((await decide('no-such-approval', 'approve', ['admin'])).status).toBe(404);
  });
});

describe('If-Match on a decision', () => {
  const manager = ['approver', 'sales_manager'];

  it('decides only on the revision the approver saw; another is a 412 that appends nothing', async () => {
    const { executionId, approvalId } = await pendingApproval('DS-5');
    const executionEvents = (await system.execution(executionId)).length;
    for (const stale of ['"1"', '"7"']) {
      const refused = await decide(approvalId, 'approve', manager, {}, { 'if-match': stale });
      expect(refused.status, stale).toBe(412);
      expect(refused.body['type'], stale).toMatch(/precondition-failed$/);
    }
    expect(await approvalEvents(approvalId)).toEqual(['ApprovalCreated']);
    expect(await system.execution(executionId)).toHaveLength(executionEvents);

    const malformed = await decide(approvalId, 'approve', manager, {}, { 'if-match': '0' });
    expect(malformed.status).toBe(400);
    expect(malformed.body['errors']).toEqual([expect.objectContaining({ pointer: '/headers/if-match' })]);

    const approved = await decide(approvalId, 'approve', manager, {}, { 'if-match': 'W/"0"' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', revision: 1 });
    expect(stepsRun(await system.execution(executionId))).toEqual(['ask', 'grant']);
  });

  it('a refusal that holds at any revision answers first: an unknown approval is a 404, a decided one a 422', async () => {
    expect((await decide('no-such-approval', 'approve', manager, {}, { 'if-match': '"0"' })).status).toBe(404);
    const { approvalId } = await pendingApproval('DS-6');
    expect((await decide(approvalId, 'reject', manager)).status).toBe(200);
    const late = await decide(approvalId, 'approve', manager, {}, { 'if-match': '"0"' });
    expect(late.status).toBe(422);
    expect(late.body['type']).toMatch(/approval-decided$/);
    expect(await approvalEvents(approvalId)).toEqual(['ApprovalCreated', 'ApprovalRejected']);
  });
});
