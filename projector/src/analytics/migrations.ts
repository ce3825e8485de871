import type { Migration } from '@iwf/platform/db/migrations';

/**
 * One narrow row per execution for analytics: when it started, how it ended, how long it
 * took. Summaries and trends aggregate it by start time, so the indexes lead with the tenant
 * and the start (per workflow too).
 */
export const analyticsMigration: Migration = {
  version: 41,
  name: 'analytics read model',
  up: `
CREATE TABLE iwf_read.analytics_executions (
  tenant text NOT NULL,
  execution_id text NOT NULL,
  workflow_id text NOT NULL,
  status text NOT NULL,
  decision text,
  started_at timestamptz NOT NULL,
  completed_at timestamptz,
  duration_ms bigint,
  revision integer NOT NULL,
  PRIMARY KEY (tenant, execution_id)
);
CREATE INDEX analytics_executions_started ON iwf_read.analytics_executions (tenant, started_at);
CREATE INDEX analytics_executions_by_workflow ON iwf_read.analytics_executions (tenant, workflow_id, started_at);`,
  down: 'DROP TABLE iwf_read.analytics_executions;',
};
