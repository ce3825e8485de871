import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '@iwf/platform/cache/cache';
import type { ApprovalFilter } from '@iwf/query-service/approvals/read-model';
import { getApproval, listApprovals, loadPendingSets, pendingPage, roleKeyOf } from '@iwf/query-service/approvals/read-model';
import { t } from '../executions/testing/execution-events.js';
import type { ReadModelHarness } from '../executions/testing/harness.js';
import { createReadModelHarness, dumpTable } from '../executions/testing/harness.js';
import { approvalsProjection } from './projection.js';
import { approved, created, expired, rejected, withdrawn } from './testing/approval-events.js';

const T = 'acme';
let h: ReadModelHarness;

beforeAll(async () => {
  h = await createReadModelHarness('approvals_projection');
});

afterAll(async () => {
  await h.close();
});

const pendingOf = async (tenant: string, approver_role: string) => (await loadPendingSets(h.pool, [{ tenant, approver_role }])).get(roleKeyOf({ tenant, approver_role }));
const ids = async (filter: Partial<ApprovalFilter>): Promise<string[]> =>
  (await listApprovals(h.pool, T, { limit: 50, ...filter })).items.map((item) => item.approval_id);

describe('approvals projection', () => {
  it('builds the API shape of a request, then of its decision; caches the view and the role’s pending set', async () => {
    await h.append('approval', T, 'a1', [created('a1', t(30))]);
    const first = await h.project(approvalsProjection);
    const pending = await getApproval(h.pool, T, 'a1');
    expect(pending).toEqual({
      approval_id: 'a1',
      execution_id: 'x-order',
      workflow_id: 'orders',
      step_id: 'manager_approval',
      status: 'pending',
      approver_role: 'sales_manager',
      entity: 'order',
      entity_id: 'o-1',
      reason: 'Large order',
      data: { amount: 5000 },
      blocking: true,
      expires_at: t(86_400),
      decided_by: null,
      decided_at: null,
      comment: null,
      created_at: t(30),
      revision: 0,
    });
    expect(first).toEqual([
      { key: cacheKey(T, 'approval', 'a1'), revision: 0, value: pending },
      { key: cacheKey(T, 'pending_approvals', 'sales_manager'), revision: 1, value: { revision: 1, items: [pending], more: false } },
    ]);

    await h.append('approval', T, 'a1', [approved('a1', t(90))]);
    const second = await h.project(approvalsProjection);
    const decided = await getApproval(h.pool, T, 'a1');
    expect(decided).toEqual({ ...pending, status: 'approved', decided_by: 'bob', decided_at: t(90), comment: 'fine', revision: 1 });
    expect(second).toEqual([
      { key: cacheKey(T, 'approval', 'a1'), revision: 1, value: decided },
      { key: cacheKey(T, 'pending_approvals', 'sales_manager'), revision: 2, value: { revision: 2, items: [], more: false } },
    ]);
  });

  it('records rejection and expiry, filters by status, role, entity and execution, newest first', async () => {
    await h.append('approval', T, 'a2', [created('a2', t(40), { approver_role: 'finance', entity: 'invoice', entity_id: 'i-1' }), rejected('a2', t(50))]);
    await h.append('approval', T, 'a3', [created('a3', t(60), { execution_id: 'x-other' }), expired('a3', t(70))]);
    await h.append('approval', T, 'a4', [created('a4', t(80))]);
    await h.append('approval', T, 'a5', [created('a5', t(80), { approver_role: 'finance', blocking: false })]);
    await h.project(approvalsProjection);
    expect(await getApproval(h.pool, T, 'a3')).toMatchObject({ status: 'expired', decided_by: null, decided_at: t(70), comment: null });
    expect(await ids({})).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect(await ids({ order: 'asc' })).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await ids({ status: 'pending' })).toEqual(['a5', 'a4']);
    expect(await ids({ status: 'rejected' })).toEqual(['a2']);
    expect(await ids({ approver_role: 'finance' })).toEqual(['a5', 'a2']);
    expect(await ids({ status: 'pending', approver_role: 'sales_manager' })).toEqual(['a4']);
    expect(await ids({ entity: 'invoice' })).toEqual(['a2']);
    expect(await ids({ entity: 'order', entity_id: 'o-1', execution_id: 'x-other' })).toEqual(['a3']);
    const page = await listApprovals(h.pool, T, { limit: 2 });
    expect((await listApprovals(h.pool, T, { limit: 5, cursor: page.next_cursor! })).items.map((item) => item.approval_id)).toEqual(['a3', 'a2', 'a1']);
  });

  it('counts every change of a role’s pending set; the cached first page equals the database page', async () => {
    expect(await pendingOf(T, 'sales_manager')).toMatchObject({ revision: 5, more: false, items: [{ approval_id: 'a4' }] });
    expect(await pendingOf(T, 'finance')).toMatchObject({ revision: 3, items: [{ approval_id: 'a5' }] });
    expect(await pendingOf(T, 'nobody')).toBeUndefined();
    for (let n = 0; n < 101; n++) await h.append('approval', T, `bulk-${n}`, [created(`bulk-${n}`, t(1000 + n), { approver_role: 'clerk' })]);
    await h.project(approvalsProjection, 40);
    const set = (await pendingOf(T, 'clerk'))!;
    expect(set).toMatchObject({ revision: 101, more: true });
    expect(set.items).toHaveLength(100);
    for (const limit of [1, 50, 100]) {
      expect(pendingPage(set, limit)).toEqual(await listApprovals(h.pool, T, { limit, status: 'pending', approver_role: 'clerk' }));
    }
    expect(pendingPage(set, 101)).toBeUndefined();
    const small = (await pendingOf(T, 'finance'))!;
    expect(pendingPage(small, 1)).toEqual(await listApprovals(h.pool, T, { limit: 1, status: 'pending', approver_role: 'finance' }));
    expect(pendingPage(small, 500)).toEqual({ items: small.items, next_cursor: null });
  });

  it('changes nothing when the log is applied again, and keeps tenants apart', async () => {
    const before = [await dumpTable(h.pool, 'approvals', 'tenant, approval_id'), await dumpTable(h.pool, 'approval_role_sets', 'tenant, approver_role')];
    expect(await h.replay(approvalsProjection, 7)).toEqual([]);
    expect([await dumpTable(h.pool, 'approvals', 'tenant, approval_id'), await dumpTable(h.pool, 'approval_role_sets', 'tenant, approver_role')]).toEqual(before);
    await h.append('approval', 'globex', 'a1', [created('a1', t(5), { approver_role: 'finance' })]);
    await h.project(approvalsProjection);
    expect((await getApproval(h.pool, 'globex', 'a1'))?.status).toBe('pending');
    expect((await getApproval(h.pool, T, 'a1'))?.status).toBe('approved');
    expect(await getApproval(h.pool, 'globex', 'a2')).toBeUndefined();
    expect((await listApprovals(h.pool, 'globex', { limit: 50 })).items.map((item) => item.approval_id)).toEqual(['a1']);
    expect(await pendingOf('globex', 'finance')).toMatchObject({ revision: 1, items: [{ approval_id: 'a1', created_at: t(5) }] });
  });

  it('shows a withdrawn approval as withdrawn (nobody decided it) and drops it from its role’s pending set and cache', async () => {
    await h.append('approval', T, 'w1', [created('w1', t(200), { approver_role: 'legal' })]);
    await h.append('approval', T, 'w2', [created('w2', t(210), { approver_role: 'legal', blocking: false })]);
    await h.project(approvalsProjection);
    expect(await pendingOf(T, 'legal')).toMatchObject({ revision: 2, items: [{ approval_id: 'w2' }, { approval_id: 'w1' }] });
    const pending = (await getApproval(h.pool, T, 'w1'))!;

    await h.append('approval', T, 'w1', [withdrawn('w1', t(300))]);
    const updates = await h.project(approvalsProjection);
    const view = await getApproval(h.pool, T, 'w1');
    expect(view).toEqual({ ...pending, status: 'withdrawn', decided_by: null, decided_at: t(300), comment: null, revision: 1 });
    const still = (await getApproval(h.pool, T, 'w2'))!;
    expect(updates).toEqual([
      { key: cacheKey(T, 'approval', 'w1'), revision: 1, value: view },
      { key: cacheKey(T, 'pending_approvals', 'legal'), revision: 3, value: { revision: 3, items: [still], more: false } },
    ]);
    expect(await ids({ status: 'withdrawn' })).toEqual(['w1']);
    expect(await ids({ status: 'pending', approver_role: 'legal' })).toEqual(['w2']);
  });

  it('stops on a decision the aggregate would never append twice', async () => {
    await h.append('approval', T, 'a4', [approved('a4', t(100)), rejected('a4', t(101))]);
    await expect(h.project(approvalsProjection)).rejects.toThrow(/ApprovalRejected approval:acme:a4@2 .*decided again \(was approved\)/);
    expect((await getApproval(h.pool, T, 'a4'))?.status).toBe('pending');
  });
});
