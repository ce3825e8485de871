import type { Principal } from '../shared/principal.js';
import type { ApprovalCreatedData, WithdrawnBecause } from './events.js';

/** Commands of the approval aggregate; time comes in on the command. */
export type CreateApproval = {
  readonly type: 'CreateApproval';
  readonly data: Omit<ApprovalCreatedData, 'created_at'> & { readonly now: string };
};

/** Needs the approval's `approver_role` among the principal's roles, or `admin`. */
export type ApproveApproval = {
  readonly type: 'ApproveApproval';
  readonly data: { readonly principal: Principal; readonly comment: string | null; readonly now: string };
};

export type RejectApproval = {
  readonly type: 'RejectApproval';
  readonly data: { readonly principal: Principal; readonly comment: string | null; readonly now: string };
};

/** Sent by the expiry timer at `expires_at`; a decided approval ignores it. */
export type ExpireApproval = { readonly type: 'ExpireApproval'; readonly data: { readonly now: string } };

/**
 * Sent by the engine when the execution a blocking approval holds up has ended: a pending,
 * blocking approval is withdrawn; any other gives no events.
 */
export type WithdrawApproval = {
  readonly type: 'WithdrawApproval';
  readonly data: { readonly execution_status: WithdrawnBecause; readonly now: string };
};

export type ApprovalCommand = CreateApproval | ApproveApproval | RejectApproval | ExpireApproval | WithdrawApproval;
