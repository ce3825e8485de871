import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '@iwf/contracts';
import { comparePositions, parsePosition, streamId, withAppend } from '@iwf/contracts';
import { eventually } from '../engine/runtime/testing/await.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne } from '../engine/runtime/testing/world.js';

/** Set by a test to act just before or after an append (throwing makes the appender fail as if it died there). */
type Hook = ((stream: string, events: readonly NewEvent[]) => Promise<void>) | undefined;
const hooks: { before: Hook; after: Hook } = { before: undefined, after: undefined };

let system: EngineTestSystem;
const manager = ['approver', 'sales_manager'];

const gate = (workflowId: string, extra: Record<string, unknown> = {}) => ({
  workflow_id: workflowId, version: '1', name: workflowId, trigger: { type: 'event', event: `${workflowId}.requested` }, ...extra,
  steps: [
    { id: 'ask', type: 'approval', approval: { approver_role: 'sales_manager', expires_in: '1h' }, on_approved: 'grant' },
    { id: 'grant', type: 'action', action: { type: 'allow' } },
  ],
});

beforeAll(async () => {
  system = await startEngineSystem('withdrawal', {}, {
    wrapStore: (store) =>
      withAppend(store, async (stream, events, expected) => {
        await hooks.before?.(stream, events);
        const result = await store.append(stream, events, expected);
        await hooks.after?.(stream, events);
        return result;
      }),
  });
  await createWorkflow(system, gate('discount'));
  await createWorkflow(system, gate('quote', { timeout: '1s' }));
  // Raises a non-blocking approval, then waits: cancelling it must leave that approval alone.
  await createWorkflow(system, {
    workflow_id: 'cart', version: '1', name: 'cart', trigger: { type: 'event', event: 'cart.flagged' },
    steps: [
      { id: 'flag', type: 'action', action: { type: 'block' }, execute: [{ type: 'create_approval_request', entity: 'cart', entity_id: '{{cart.id}}', data: { approver_role: 'sales_manager', reason: 'check', expires_in: '1h' } }], next: 'hold' },
      { id: 'hold', type: 'wait', wait: { event: 'cart.cleared', timeout: '1h' } },
    ],
  });
  // Anything `approval.*` ingests starts one of these: none may start.
  await createWorkflow(system, {
    workflow_id: 'audit_trail', version: '1', name: 'audit', trigger: { type: 'event', event: 'approval.*' },
    steps: [{ id: 'note', type: 'execute', execute: [{ type: 'log', message: '{{approval.status}}' }] }],
  });
});

afterAll(async () => {
  hooks.before = undefined;
  hooks.after = undefined;
  await system?.close();
});

const approvalStream = (approvalId: string): Promise<RecordedEvent[]> => system.store.readStream(streamId('approval', system.tenant, approvalId));
const types = (events: readonly RecordedEvent[]): string[] => events.map((event) => event.type);

async function waitingOn(workflowId: string, entityId: string): Promise<{ executionId: string; approvalId: string }> {
  const started = await ingestOne(system, `${workflowId}.requested`, { [workflowId]: { id: entityId } });
  expect(started.status).toBe('waiting');
  const requested = (await system.execution(started.execution_id)).find((event) => event.type === 'ApprovalRequested');
  const approvalId = (requested?.data as { approval_id: string }).approval_id;
  await eventually(async () => ((await approvalStream(approvalId)).length > 0 ? true : undefined));
  return { executionId: started.execution_id, approvalId };
}

/** Until the repair subscription has handled the approval's creation (so only the path under test is left to act). */
const repairedPast = async (approvalId: string): Promise<void> => {
  const created = (await approvalStream(approvalId))[0]!.position;
  await eventually(async () => {
    const row = (await system.pool.query<{ commit_pos: string; prepare_pos: string }>("SELECT commit_pos, prepare_pos FROM iwf_command.engine_checkpoints WHERE name = 'engine-repair'")).rows[0];
    return row !== undefined && comparePositions({ commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) }, created) >= 0 ? true : undefined;
  });
};

const withdrawnEventually = (approvalId: string) =>
  eventually(async () => (await approvalStream(approvalId)).find((event) => event.type === 'ApprovalWithdrawn'));

const approvalTimers = async (approvalId: string): Promise<string[]> =>
  (await system.pool.query<{ kind: string }>("SELECT kind FROM iwf_command.engine_timers WHERE owner_kind = 'approval' AND owner_id = $1 ORDER BY kind", [approvalId])).rows.map((row) => row.kind);

const businessEvents = async (entityId: string): Promise<string[]> =>
  (await system.pool.query<{ type: string }>("SELECT data->>'event_type' AS type FROM iwf_events.events WHERE type = 'EventIngested' AND data->'payload'->'entity'->>'id' = $1", [entityId])).rows.map((row) => row.type);

/** Approving and rejecting a withdrawn approval: a 422 that appends nothing, ingests nothing and leaves the execution as it was. */
async function expectUndecidable(approvalId: string, executionId: string, entityId: string): Promise<void> {
  const before = [types(await approvalStream(approvalId)), (await system.execution(executionId)).length];
  for (const verb of ['approve', 'reject']) {
    const reply = await system.call('POST', `/approvals/${approvalId}/${verb}`, { comment: 'late' }, { roles: manager, actor: 'mia' });
    expect(reply.status, verb).toBe(422);
    expect(reply.body['type']).toMatch(/approval-decided$/);
    expect(reply.body['detail']).toMatch(/withdrawn/);
  }
  expect([types(await approvalStream(approvalId)), (await system.execution(executionId)).length]).toEqual(before);
  expect(await businessEvents(entityId)).toEqual([]);
}

describe('cancelling an execution that waits on an approval step', () => {
  it('withdraws the approval before answering: the answer’s position covers it; deciding it then is a 422 that changes nothing', async () => {
    const { executionId, approvalId } = await waitingOn('discount', 'DS-1');
    expect(await approvalTimers(approvalId)).toEqual(['approval_expiry']);
    const cancelled = await system.call('POST', `/executions/${executionId}/cancel`, { reason: 'customer left' }, { actor: 'ops' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });

    const events = await approvalStream(approvalId);
    expect(types(events)).toEqual(['ApprovalCreated', 'ApprovalWithdrawn']);
    const withdrawn = events[1]!;
    expect(withdrawn.data).toMatchObject({ approval_id: approvalId, execution_id: executionId, execution_status: 'cancelled' });
    expect(withdrawn.metadata).toMatchObject({ actor: 'ops' });
    const answered = parsePosition(String(cancelled.body['position']))!;
    expect(comparePositions(answered, withdrawn.position)).toBeGreaterThanOrEqual(0);
    expect(cancelled.headers['x-log-position']).toBe(cancelled.body['position']);
    expect(await approvalTimers(approvalId)).toEqual([]);

    await expectUndecidable(approvalId, executionId, 'DS-1');
  });

  it('leaves a non-blocking approval of the execution pending and decidable', async () => {
    const started = await ingestOne(system, 'cart.flagged', { cart: { id: 'C-1' } });
    const requested = (await system.execution(started.execution_id)).find((event) => event.type === 'ApprovalRequested');
    const approvalId = (requested?.data as { approval_id: string }).approval_id;
    await eventually(async () => ((await approvalStream(approvalId)).length > 0 ? true : undefined));
    expect((await system.call('POST', `/executions/${started.execution_id}/cancel`)).status).toBe(200);
    expect(types(await approvalStream(approvalId))).toEqual(['ApprovalCreated']);
    expect(await approvalTimers(approvalId)).toEqual(['approval_expiry']);
    expect((await system.call('POST', `/approvals/${approvalId}/approve`, {}, { roles: manager })).status).toBe(200);
  });
});

describe('an execution that times out while waiting on an approval step', () => {
  it('withdraws the approval with the timeout', async () => {
    const { executionId, approvalId } = await waitingOn('quote', 'Q-1');
    const withdrawn = await withdrawnEventually(approvalId);
    expect(withdrawn.data).toMatchObject({ execution_status: 'timed_out' });
    expect(withdrawn.metadata).toMatchObject({ actor: 'system:timer' });
    expect((await system.execution(executionId)).at(-1)).toMatchObject({ type: 'ExecutionTimedOut' });
    expect(await approvalTimers(approvalId)).toEqual([]);
    await expectUndecidable(approvalId, executionId, 'Q-1');
  });
});

describe('a process that dies during the ending', () => {
  it('after appending the cancel, before syncing: the repair subscription withdraws the approval', async () => {
    const { executionId, approvalId } = await waitingOn('discount', 'DS-2');
    hooks.after = async (stream, events) => {
      if (stream.endsWith(executionId) && events.some((event) => event.type === 'ExecutionCancelled')) throw new Error('died after the append');
    };
    const cancelled = await system.call('POST', `/executions/${executionId}/cancel`);
    hooks.after = undefined;
    expect(cancelled.status).toBe(500);
    expect((await system.execution(executionId)).at(-1)).toMatchObject({ type: 'ExecutionCancelled' });
    const withdrawn = await withdrawnEventually(approvalId);
    expect(withdrawn.metadata).toMatchObject({ actor: 'system:engine' });
    expect(await approvalTimers(approvalId)).toEqual([]);
    await expectUndecidable(approvalId, executionId, 'DS-2');
  });

  it('after syncing the ending, before withdrawing: a poller withdraws it once the claim lapses; the cancel stands', async () => {
    const { executionId, approvalId } = await waitingOn('discount', 'DS-3');
    await repairedPast(approvalId);
    hooks.before = async (stream, events) => {
      if (stream.endsWith(approvalId) && events.some((event) => event.type === 'ApprovalWithdrawn')) {
        hooks.before = undefined;
        throw new Error('died before the withdrawal');
      }
    };
    const cancelled = await system.call('POST', `/executions/${executionId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(types(await approvalStream(approvalId))).toEqual(['ApprovalCreated']);
    expect(await approvalTimers(approvalId)).toEqual(['approval_expiry', 'approval_withdrawal']);
    const withdrawn = await withdrawnEventually(approvalId);
    expect(withdrawn.metadata).toMatchObject({ actor: 'system:timer' });
    expect(await eventually(async () => ((await approvalTimers(approvalId)).length === 0 ? true : undefined))).toBe(true);
    await expectUndecidable(approvalId, executionId, 'DS-3');
  });
});

describe('an approval created after its execution ended (the creating effect was in flight)', () => {
  it('is withdrawn as soon as it is created', async () => {
    let executionId: string | undefined;
    hooks.before = async (_stream, events) => {
      const created = events.find((event) => event.type === 'ApprovalCreated' && (event.data as { entity_id: string }).entity_id === 'DS-4');
      if (created === undefined) return;
      hooks.before = undefined;
      executionId = (created.data as { execution_id: string }).execution_id;
      await system.engine.runner.send(system.tenant, executionId, { type: 'CancelExecution', data: { by: 'ops', reason: null } }, { actor: 'ops' });
    };
    const started = await ingestOne(system, 'discount.requested', { discount: { id: 'DS-4' } });
    const requested = (await system.execution(started.execution_id)).find((event) => event.type === 'ApprovalRequested');
    const approvalId = (requested?.data as { approval_id: string }).approval_id;
    const withdrawn = await withdrawnEventually(approvalId);
    expect(executionId).toBe(started.execution_id);
    expect(withdrawn.data).toMatchObject({ execution_status: 'cancelled' });
    expect(await eventually(async () => ((await approvalTimers(approvalId)).length === 0 ? true : undefined))).toBe(true);
    await expectUndecidable(approvalId, started.execution_id, 'DS-4');
  });
});
