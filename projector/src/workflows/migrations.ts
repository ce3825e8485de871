import type { Migration } from '@iwf/platform/db/migrations';

/** Tables of the workflows read model. Timestamps come from the events, never from now(). */
export const workflowsMigration: Migration = {
  version: 2,
  name: 'workflows read model',
  up: `
CREATE TABLE iwf_read.workflows (
  tenant text NOT NULL,
  workflow_id text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,
  description text,
  tags text[] NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL,
  archived boolean NOT NULL DEFAULT false,
  definition_revision integer NOT NULL,
  revision integer NOT NULL,
  definition jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  trigger_type text,
  trigger_event text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_commit bigint NOT NULL,
  last_prepare bigint NOT NULL,
  PRIMARY KEY (tenant, workflow_id)
);
CREATE INDEX workflows_newest ON iwf_read.workflows (tenant, created_at, workflow_id);
CREATE INDEX workflows_enabled ON iwf_read.workflows (tenant, enabled, created_at, workflow_id);
CREATE INDEX workflows_tags ON iwf_read.workflows USING gin (tags);
CREATE INDEX workflows_trigger_event ON iwf_read.workflows (tenant, trigger_event);
CREATE TABLE iwf_read.workflow_versions (
  tenant text NOT NULL,
  workflow_id text NOT NULL,
  definition_revision integer NOT NULL,
  version text NOT NULL,
  name text NOT NULL,
  description text,
  tags text[] NOT NULL DEFAULT '{}',
  definition jsonb NOT NULL,
  published_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, workflow_id, definition_revision)
);`,
  down: `
DROP TABLE iwf_read.workflow_versions;
DROP TABLE iwf_read.workflows;`,
};
