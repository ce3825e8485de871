import type { ApprovalCommand, ApprovalCreatedData, ApprovalEvent, ApprovalStatus, Principal } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';
import { isDue } from '../progress.js';

/** The approval aggregate (stream `approval:<tenant>:<approval_id>`). */
export type ApprovalState =
  | { readonly status: 'absent' }
  | (ApprovalCreatedData & {
      readonly status: ApprovalStatus;
      readonly decided_by: string | null;
      readonly decided_at: string | null;
      readonly comment: string | null;
    });

export const initialApprovalState: ApprovalState = { status: 'absent' };

export function evolveApproval(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  if (event.type === 'ApprovalCreated') {
    return state.status === 'absent' ? { ...event.data, status: 'pending', decided_by: null, decided_at: null, comment: null } : state;
  }
  if (state.status !== 'pending') return state;
  if (event.type === 'ApprovalWithdrawn') return { ...state, status: 'withdrawn', decided_by: null, decided_at: event.data.at, comment: null };
  const status = event.type === 'ApprovalApproved' ? 'approved' : event.type === 'ApprovalRejected' ? 'rejected' : 'expired';
  return { ...state, status, decided_by: event.data.decided_by, decided_at: event.data.at, comment: event.data.comment };
}

/**
 * Creating is idempotent (the engine may repeat the effect that creates it). Approving or
 * rejecting needs a pending, unexpired approval and the approver role (or admin). Expiry
 * happens once, at `expires_at`, and only to a pending approval. Withdrawal (the blocked
 * execution ended) happens once, only to a pending blocking approval: a non-blocking one
 * outlives its execution.
 */
export function decideApproval(command: ApprovalCommand, state: ApprovalState): readonly ApprovalEvent[] {
  switch (command.type) {
    case 'CreateApproval': {
      if (state.status !== 'absent') return [];
      const { now, ...data } = command.data;
      return [{ type: 'ApprovalCreated', data: { ...data, created_at: now } }];
    }
    case 'ApproveApproval':
    case 'RejectApproval': {
      const pending = requireDecidable(state, command.data.principal, command.data.now);
      const data = { approval_id: pending.approval_id, decided_by: command.data.principal.actor, comment: command.data.comment, at: command.data.now };
      return [{ type: command.type === 'ApproveApproval' ? 'ApprovalApproved' : 'ApprovalRejected', data }];
    }
    case 'ExpireApproval':
      if (state.status !== 'pending' || !isDue(state.expires_at, command.data.now)) return [];
      return [{ type: 'ApprovalExpired', data: { approval_id: state.approval_id, decided_by: null, comment: null, at: command.data.now } }];
    case 'WithdrawApproval': {
      if (state.status !== 'pending' || !state.blocking) return [];
      const { execution_status, now } = command.data;
      return [{ type: 'ApprovalWithdrawn', data: { approval_id: state.approval_id, execution_id: state.execution_id, execution_status, at: now } }];
    }
  }
}

type Present = Exclude<ApprovalState, { status: 'absent' }>;

function requireDecidable(state: ApprovalState, principal: Principal, now: string): Present {
  if (state.status === 'absent') throw new DomainError('not_found', 'The approval does not exist.');
  if (state.status === 'withdrawn') {
    throw new DomainError('illegal_state', 'The approval was withdrawn: the execution that waited for it has ended.', [], 'approval-decided');
  }
  if (state.status !== 'pending') throw new DomainError('illegal_state', `The approval is already ${state.status}.`, [], 'approval-decided');
  if (isDue(state.expires_at, now)) throw new DomainError('illegal_state', 'The approval has expired.', [], 'approval-decided');
  if (!mayDecide(principal, state.approver_role)) {
    throw new DomainError('forbidden', `Deciding this approval needs the ${state.approver_role} role.`);
  }
  return state;
}

export const mayDecide = (principal: Principal, approverRole: string): boolean =>
  principal.roles.includes('admin') || principal.roles.includes(approverRole);

export const approvalDecider = { initialState: initialApprovalState, evolve: evolveApproval, decide: decideApproval };
