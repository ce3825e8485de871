import type { Migration } from '@iwf/platform/db/migrations';

/** The executions read model and the per-workflow counts by status. Times come from the events. */
export const executionsMigration: Migration = {
  version: 10,
  name: 'executions read model',
  up: `
CREATE TABLE iwf_read.executions (
  tenant text NOT NULL,
  execution_id text NOT NULL,
  workflow_id text NOT NULL,
  workflow_revision integer NOT NULL,
  workflow_version text NOT NULL,
  trigger_kind text NOT NULL,
  trigger_event_id text,
  status text NOT NULL,
  decision text,
  current_step_id text,
  error jsonb,
  context jsonb NOT NULL,
  steps jsonb NOT NULL,
  fold jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  completed_at timestamptz,
  duration_ms bigint,
  updated_at timestamptz NOT NULL,
  revision integer NOT NULL,
  last_commit bigint NOT NULL,
  last_prepare bigint NOT NULL,
  PRIMARY KEY (tenant, execution_id)
);
CREATE INDEX executions_newest ON iwf_read.executions (tenant, started_at, execution_id);
CREATE INDEX executions_by_workflow ON iwf_read.executions (tenant, workflow_id, started_at, execution_id);
CREATE INDEX executions_by_status ON iwf_read.executions (tenant, status, started_at, execution_id);
CREATE TABLE iwf_read.execution_counts (
  tenant text NOT NULL,
  workflow_id text NOT NULL,
  status text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (tenant, workflow_id, status)
);`,
  down: `
DROP TABLE iwf_read.execution_counts;
DROP TABLE iwf_read.executions;`,
};
