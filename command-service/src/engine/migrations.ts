import type { MigrationSet } from '@iwf/platform/db/migrations';

/**
 * The engine's write-side tables, in schema `iwf_command`. They are indexes of the log kept
 * strongly consistent by the process that appends (and repaired by the engine's catch-up
 * subscription), never read models: ingest and timers must not depend on projection lag.
 * Versions start at 101 because the schema's migration ledger is shared with the
 * idempotency keys (version 1).
 */
export const engineMigrations: MigrationSet = {
  schema: 'iwf_command',
  migrations: [
    {
      version: 101,
      name: 'trigger index',
      up: `
        CREATE TABLE iwf_command.trigger_index (
          tenant text NOT NULL,
          workflow_id text NOT NULL,
          enabled boolean NOT NULL,
          archived boolean NOT NULL,
          trigger_type text NOT NULL,
          trigger_event text,
          cron text,
          timezone text,
          definition_revision integer NOT NULL,
          version text NOT NULL,
          definition jsonb NOT NULL,
          stream_revision bigint NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant, workflow_id)
        );
        CREATE INDEX trigger_index_event ON iwf_command.trigger_index (tenant, trigger_event)
          WHERE enabled AND NOT archived AND trigger_type = 'event';`,
      down: 'DROP TABLE iwf_command.trigger_index;',
    },
    {
      version: 102,
      name: 'engine work: executions, effects, timers, waits',
      up: `
        CREATE TABLE iwf_command.engine_executions (
          tenant text NOT NULL,
          execution_id text NOT NULL,
          workflow_id text NOT NULL,
          status text NOT NULL,
          synced_revision bigint NOT NULL,
          advance boolean NOT NULL DEFAULT false,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant, execution_id)
        );
        CREATE INDEX engine_executions_advance ON iwf_command.engine_executions (updated_at) WHERE advance;
        CREATE TABLE iwf_command.engine_effects (
          tenant text NOT NULL,
          execution_id text NOT NULL,
          effect_id text NOT NULL,
          kind text NOT NULL,
          idempotency_key text NOT NULL,
          request jsonb NOT NULL,
          deadline timestamptz,
          requested_at timestamptz NOT NULL,
          claimed_by text,
          claimed_until timestamptz,
          PRIMARY KEY (tenant, execution_id, effect_id)
        );
        CREATE INDEX engine_effects_claim ON iwf_command.engine_effects (claimed_until NULLS FIRST);
        CREATE TABLE iwf_command.engine_timers (
          tenant text NOT NULL,
          owner_kind text NOT NULL,
          owner_id text NOT NULL,
          timer_id text NOT NULL,
          kind text NOT NULL,
          due_at timestamptz NOT NULL,
          data jsonb NOT NULL DEFAULT '{}',
          claimed_by text,
          claimed_until timestamptz,
          PRIMARY KEY (tenant, owner_kind, owner_id, timer_id)
        );
        CREATE INDEX engine_timers_due ON iwf_command.engine_timers (due_at);
        CREATE TABLE iwf_command.engine_waits (
          tenant text NOT NULL,
          execution_id text NOT NULL,
          step_id text NOT NULL,
          event_type text NOT NULL,
          match_field text NOT NULL,
          match_value jsonb,
          PRIMARY KEY (tenant, execution_id, step_id)
        );
        CREATE INDEX engine_waits_type ON iwf_command.engine_waits (tenant, event_type);`,
      down: `
        DROP TABLE iwf_command.engine_waits;
        DROP TABLE iwf_command.engine_timers;
        DROP TABLE iwf_command.engine_effects;
        DROP TABLE iwf_command.engine_executions;`,
    },
    {
      version: 103,
      name: 'rule index and engine checkpoints',
      up: `
        CREATE TABLE iwf_command.engine_rules (
          tenant text NOT NULL,
          rule_id text NOT NULL,
          condition jsonb,
          deleted boolean NOT NULL,
          stream_revision bigint NOT NULL,
          PRIMARY KEY (tenant, rule_id)
        );
        CREATE TABLE iwf_command.engine_checkpoints (
          name text PRIMARY KEY,
          commit_pos bigint NOT NULL,
          prepare_pos bigint NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        );`,
      down: `
        DROP TABLE iwf_command.engine_checkpoints;
        DROP TABLE iwf_command.engine_rules;`,
    },
    {
      // A wait sees the events recorded after its WaitStarted: the row keeps that append's
      // log position (null on rows written before: they see every event offered to them).
      version: 104,
      name: 'wait rows: run and the log position they opened at',
      up: `
        ALTER TABLE iwf_command.engine_waits
          ADD COLUMN run integer,
          ADD COLUMN opened_commit bigint,
          ADD COLUMN opened_prepare bigint;`,
      down: `
        ALTER TABLE iwf_command.engine_waits
          DROP COLUMN opened_prepare,
          DROP COLUMN opened_commit,
          DROP COLUMN run;`,
    },
  ],
};
