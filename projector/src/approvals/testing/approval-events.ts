import type { ApprovalCreatedData, ApprovalEvent } from '@iwf/contracts';
import { t } from '../../executions/testing/execution-events.js';

/** Builders of approval events for tests: what the approval aggregate would append. */

export function created(approval_id: string, at: string, options: Partial<ApprovalCreatedData> = {}): ApprovalEvent {
  return {
    type: 'ApprovalCreated',
    data: {
      approval_id,
      execution_id: 'x-order',
      workflow_id: 'orders',
      step_id: 'manager_approval',
      approver_role: 'sales_manager',
      entity: 'order',
      entity_id: 'o-1',
      reason: 'Large order',
      data: { amount: 5000 },
      expires_at: t(86_400),
      blocking: true,
      created_at: at,
      ...options,
    },
  };
}

export const approved = (approval_id: string, at: string, decided_by = 'bob', comment: string | null = 'fine'): ApprovalEvent => ({
  type: 'ApprovalApproved',
  data: { approval_id, decided_by, comment, at },
});

export const rejected = (approval_id: string, at: string, decided_by = 'bob', comment: string | null = 'too much'): ApprovalEvent => ({
  type: 'ApprovalRejected',
  data: { approval_id, decided_by, comment, at },
});

export const expired = (approval_id: string, at: string): ApprovalEvent => ({
  type: 'ApprovalExpired',
  data: { approval_id, decided_by: null, comment: null, at },
});

export const withdrawn = (approval_id: string, at: string, execution_status: 'cancelled' | 'timed_out' = 'cancelled'): ApprovalEvent => ({
  type: 'ApprovalWithdrawn',
  data: { approval_id, execution_id: 'x-order', execution_status, at },
});
