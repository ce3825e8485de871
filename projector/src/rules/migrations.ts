import type { Migration } from '@iwf/platform/db/migrations';

/** Stored rules. A deleted rule stays as a tombstone so a redelivered older event cannot bring it back. */
export const rulesMigration: Migration = {
  version: 13,
  name: 'rules read model',
  up: `
CREATE TABLE iwf_read.rules (
  tenant text NOT NULL,
  rule_id text NOT NULL,
  name text NOT NULL,
  description text,
  condition jsonb NOT NULL,
  deleted boolean NOT NULL,
  revision integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_commit bigint NOT NULL,
  last_prepare bigint NOT NULL,
  PRIMARY KEY (tenant, rule_id)
);
CREATE INDEX rules_newest ON iwf_read.rules (tenant, created_at, rule_id) WHERE NOT deleted;`,
  down: 'DROP TABLE iwf_read.rules;',
};
