import type { ApprovalStatus } from '../approval/events.js';
import type { JsonRecord } from '../execution/types.js';

/** An approval request as the query API returns it (API.md "Resource shapes"). */
export interface ApprovalView {
  readonly approval_id: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly step_id: string;
  readonly status: ApprovalStatus;
  readonly approver_role: string;
  readonly entity: string;
  readonly entity_id: string;
  readonly reason: string;
  readonly data: JsonRecord;
  /** True when the execution waits for the decision (an approval step). */
  readonly blocking: boolean;
  readonly expires_at: string;
  /** Null while pending and when it expired. */
  readonly decided_by: string | null;
  readonly decided_at: string | null;
  readonly comment: string | null;
  readonly created_at: string;
  /** The stream revision of its last event; also the ETag. */
  readonly revision: number;
}
