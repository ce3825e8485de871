import type { ApprovalCommand, ApprovalCreated, ApprovalEvent, Principal } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../testing/decider-spec.js';
import { approvalDecider } from './decider.js';

const spec = deciderSpec(approvalDecider);
const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-01T11:00:00.000Z';
const EXPIRES = '2024-05-02T10:00:00.000Z';

const details = {
  approval_id: 'ex-1.apr-1',
  execution_id: 'ex-1',
  workflow_id: 'order_approval',
  step_id: 'gate',
  approver_role: 'sales_manager',
  entity: 'order',
  entity_id: 'o-1',
  reason: 'over limit',
  data: { total: 12000 },
  expires_at: EXPIRES,
  blocking: true,
};
const created: ApprovalCreated = { type: 'ApprovalCreated', data: { ...details, created_at: T0 } };
const who = (roles: string[], actor = 'u-1'): Principal => ({ actor, tenant: 't', roles });
const approve = (principal: Principal, now = T1, comment: string | null = 'ok'): ApprovalCommand => ({ type: 'ApproveApproval', data: { principal, comment, now } });
const reject = (principal: Principal, now = T1): ApprovalCommand => ({ type: 'RejectApproval', data: { principal, comment: 'no', now } });
const expire = (now: string): ApprovalCommand => ({ type: 'ExpireApproval', data: { now } });
const approved: ApprovalEvent = { type: 'ApprovalApproved', data: { approval_id: 'ex-1.apr-1', decided_by: 'u-1', comment: 'ok', at: T1 } };

describe('approval decider', () => {
  it('creates a pending approval, once', () => {
    spec.given([]).when({ type: 'CreateApproval', data: { ...details, now: T0 } }).then([created]);
    spec.given([created]).when({ type: 'CreateApproval', data: { ...details, now: T1 } }).then([]);
  });

  it('lets a holder of the approver role approve or reject', () => {
    spec.given([created]).when(approve(who(['approver', 'sales_manager']))).then([approved]);
    spec.given([created]).when(reject(who(['sales_manager'], 'u-2'))).then([
      { type: 'ApprovalRejected', data: { approval_id: 'ex-1.apr-1', decided_by: 'u-2', comment: 'no', at: T1 } },
    ]);
  });

  it('lets an admin decide any approval', () => {
    spec.given([created]).when(approve(who(['admin']))).then([approved]);
  });

  it('refuses someone without the approver role', () => {
    spec.given([created]).when(approve(who(['approver', 'workflow_manager']))).thenThrows('forbidden');
  });

  it('refuses to decide a decided approval, an expired one, or one that does not exist', () => {
    spec.given([created, approved]).when(reject(who(['admin']))).thenThrows('illegal_state', 'approval-decided');
    spec.given([created]).when(approve(who(['admin']), EXPIRES)).thenThrows('illegal_state', 'approval-decided');
    spec.given([]).when(approve(who(['admin']))).thenThrows('not_found');
  });

  it('expires exactly once, at expires_at, and only a pending approval', () => {
    const expired: ApprovalEvent = { type: 'ApprovalExpired', data: { approval_id: 'ex-1.apr-1', decided_by: null, comment: null, at: EXPIRES } };
    spec.given([created]).when(expire(T1)).then([]);
    spec.given([created]).when(expire(EXPIRES)).then([expired]);
    spec.given([created, expired]).when(expire(EXPIRES)).then([]);
    spec.given([created, approved]).when(expire(EXPIRES)).then([]);
  });

  describe('withdrawal (the blocked execution ended)', () => {
    const withdraw = (now = T1, execution_status: 'cancelled' | 'timed_out' | 'failed' | 'completed' = 'cancelled'): ApprovalCommand => ({
      type: 'WithdrawApproval',
      data: { execution_status, now },
    });
    const withdrawn: ApprovalEvent = { type: 'ApprovalWithdrawn', data: { approval_id: 'ex-1.apr-1', execution_id: 'ex-1', execution_status: 'cancelled', at: T1 } };
    const expired: ApprovalEvent = { type: 'ApprovalExpired', data: { approval_id: 'ex-1.apr-1', decided_by: null, comment: null, at: EXPIRES } };

    it('withdraws a pending blocking approval, once, naming how the execution ended', () => {
      spec.given([created]).when(withdraw()).then([withdrawn]);
      spec.given([created]).when(withdraw(T1, 'timed_out')).then([{ ...withdrawn, data: { ...withdrawn.data, execution_status: 'timed_out' } }]);
      spec.given([created, withdrawn]).when(withdraw()).then([]);
    });

    it('leaves a decided, expired, non-blocking or unknown approval alone', () => {
      spec.given([created, approved]).when(withdraw()).then([]);
      spec.given([created, expired]).when(withdraw()).then([]);
      spec.given([{ type: 'ApprovalCreated', data: { ...details, blocking: false, created_at: T0 } }]).when(withdraw()).then([]);
      spec.given([]).when(withdraw()).then([]);
    });

    it('refuses to approve or reject a withdrawn approval, like a decided one, even for an admin; it does not expire either', () => {
      const approving = spec.given([created, withdrawn]).when(approve(who(['approver', 'sales_manager']))).thenThrows('illegal_state', 'approval-decided');
      expect(approving.message).toMatch(/withdrawn/);
      const rejecting = spec.given([created, withdrawn]).when(reject(who(['admin']))).thenThrows('illegal_state', 'approval-decided');
      expect(rejecting.message).toMatch(/withdrawn/);
      spec.given([created, withdrawn]).when(expire(EXPIRES)).then([]);
    });

    it('folds the withdrawal: nobody decided it, decided_at is when it was withdrawn', () => {
      const state = [created, withdrawn].reduce(approvalDecider.evolve, approvalDecider.initialState);
      expect(state).toMatchObject({ status: 'withdrawn', decided_by: null, decided_at: T1, comment: null });
      expect([created, withdrawn, approved].reduce(approvalDecider.evolve, approvalDecider.initialState)).toEqual(state);
    });
  });

  it('folds the decision into the state', () => {
    const state = [created, approved].reduce(approvalDecider.evolve, approvalDecider.initialState);
    expect(state).toMatchObject({ status: 'approved', decided_by: 'u-1', decided_at: T1, comment: 'ok', entity_id: 'o-1' });
  });
});
