import type { Migration } from '@iwf/platform/db/migrations';

/**
 * The approvals read model, and per role the count of events that changed its pending set:
 * the revision of the cached "pending approvals of a role" list.
 */
export const approvalsMigration: Migration = {
  version: 11,
  name: 'approvals read model',
  up: `
CREATE TABLE iwf_read.approvals (
  tenant text NOT NULL,
  approval_id text NOT NULL,
  execution_id text NOT NULL,
  workflow_id text NOT NULL,
  step_id text NOT NULL,
  status text NOT NULL,
  approver_role text NOT NULL,
  entity text NOT NULL,
  entity_id text NOT NULL,
  reason text NOT NULL,
  data jsonb NOT NULL,
  blocking boolean NOT NULL,
  expires_at timestamptz NOT NULL,
  decided_by text,
  decided_at timestamptz,
  comment text,
  created_at timestamptz NOT NULL,
  revision integer NOT NULL,
  last_commit bigint NOT NULL,
  last_prepare bigint NOT NULL,
  PRIMARY KEY (tenant, approval_id)
);
CREATE INDEX approvals_newest ON iwf_read.approvals (tenant, created_at, approval_id);
CREATE INDEX approvals_by_status ON iwf_read.approvals (tenant, status, created_at, approval_id);
CREATE INDEX approvals_by_role ON iwf_read.approvals (tenant, approver_role, created_at, approval_id);
CREATE INDEX approvals_pending_by_role ON iwf_read.approvals (tenant, approver_role, created_at, approval_id) WHERE status = 'pending';
CREATE INDEX approvals_by_entity ON iwf_read.approvals (tenant, entity, entity_id, created_at, approval_id);
CREATE INDEX approvals_by_execution ON iwf_read.approvals (tenant, execution_id);
CREATE TABLE iwf_read.approval_role_sets (
  tenant text NOT NULL,
  approver_role text NOT NULL,
  revision integer NOT NULL,
  PRIMARY KEY (tenant, approver_role)
);`,
  down: `
DROP TABLE iwf_read.approval_role_sets;
DROP TABLE iwf_read.approvals;`,
};
