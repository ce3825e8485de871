import type { Migration } from '@iwf/platform/db/migrations';

/** Business events the service received, with the executions each started, and who sent them. */
export const ingestedEventsMigration: Migration = {
  version: 12,
  name: 'ingested events read model',
  up: `
CREATE TABLE iwf_read.ingested_events (
  tenant text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  source text NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  executions jsonb NOT NULL,
  ingested_by text NOT NULL,
  revision integer NOT NULL,
  last_commit bigint NOT NULL,
  last_prepare bigint NOT NULL,
  PRIMARY KEY (tenant, event_id)
);
CREATE INDEX ingested_events_newest ON iwf_read.ingested_events (tenant, received_at, event_id);
CREATE INDEX ingested_events_by_type ON iwf_read.ingested_events (tenant, event_type, received_at, event_id);
CREATE INDEX ingested_events_by_sender ON iwf_read.ingested_events (tenant, ingested_by, received_at, event_id);`,
  down: 'DROP TABLE iwf_read.ingested_events;',
};
