import type { JsonRecord } from '../execution/types.js';

/**
 * Events of the approval aggregate (stream `approval:<tenant>:<approval_id>`). An approval is
 * `pending` until exactly one of Approved / Rejected / Expired / Withdrawn.
 */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'withdrawn'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalCreatedData {
  readonly approval_id: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly step_id: string;
  readonly approver_role: string;
  readonly entity: string;
  readonly entity_id: string;
  readonly reason: string;
  readonly data: JsonRecord;
  readonly expires_at: string;
  /** True when the execution waits for the decision (an approval step). */
  readonly blocking: boolean;
  readonly created_at: string;
}

interface Decided {
  readonly approval_id: string;
  /** The deciding actor; null when the approval expired. */
  readonly decided_by: string | null;
  readonly comment: string | null;
  readonly at: string;
}

export type ApprovalCreated = { readonly type: 'ApprovalCreated'; readonly data: ApprovalCreatedData };
export type ApprovalApproved = { readonly type: 'ApprovalApproved'; readonly data: Decided };
export type ApprovalRejected = { readonly type: 'ApprovalRejected'; readonly data: Decided };
export type ApprovalExpired = { readonly type: 'ApprovalExpired'; readonly data: Decided };

/** How the execution ended that a withdrawn approval blocked. */
export type WithdrawnBecause = 'completed' | 'failed' | 'cancelled' | 'timed_out';

/**
 * A blocking approval whose execution ended before anyone decided it: nobody waits for the
 * decision any more, so nobody may make it. Not a decision (no actor, no comment).
 */
export type ApprovalWithdrawn = {
  readonly type: 'ApprovalWithdrawn';
  readonly data: {
    readonly approval_id: string;
    readonly execution_id: string;
    /** The execution's ending status. */
    readonly execution_status: WithdrawnBecause;
    readonly at: string;
  };
};

export type ApprovalEvent = ApprovalCreated | ApprovalApproved | ApprovalRejected | ApprovalExpired | ApprovalWithdrawn;
export type ApprovalEventType = ApprovalEvent['type'];
export const APPROVAL_EVENT_TYPES = [
  'ApprovalCreated',
  'ApprovalApproved',
  'ApprovalRejected',
  'ApprovalExpired',
  'ApprovalWithdrawn',
] as const satisfies readonly ApprovalEventType[];

/**
 * The business event each decision ingests, so workflows and waits can react to it. A
 * withdrawal ingests none: the execution's own ending already says what happened, and no
 * person or deadline decided anything.
 */
export const APPROVAL_BUSINESS_EVENT_TYPES = {
  ApprovalApproved: 'approval.approved',
  ApprovalRejected: 'approval.rejected',
  ApprovalExpired: 'approval.expired',
} as const;
