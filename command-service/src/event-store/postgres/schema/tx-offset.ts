import type { Migration } from '@iwf/platform/db/migrations';

/**
 * Transaction ids that keep growing across a restore.
 *
 * The log is ordered by (tx_id, position), and tx_id is the writer's `pg_current_xact_id()`.
 * Those ids belong to the PostgreSQL cluster, not to the database: a backup restored into
 * another cluster (or one whose counter is behind the source's) hands new transactions ids far
 * below the restored ones. New events would then sort before old ones, behind every
 * subscriber's checkpoint, and the visibility horizon (`pg_snapshot_xmin`, also a cluster
 * counter) would hide every restored event: subscribers would skip the new and never read the
 * old.
 *
 * So the log's transaction id is the cluster's plus `iwf_events.tx_offset()`, a constant that is
 * 0 until a restore. After loading a backup, `iwf_events.continue_after_restore()` sets it so
 * that the next transaction sorts after every restored event, and the horizon moves with it.
 * Stored events and checkpoints are untouched, so every position handed out before the backup
 * keeps its meaning. `tx_offset()` is an IMMUTABLE SQL function returning a literal, so the
 * planner folds it into the column default and the horizon: it costs nothing per row, and
 * redefining it invalidates cached plans. `tx_epochs` records each change, for auditors.
 */
export const txOffsetMigration: Migration = {
  version: 3,
  name: 'transaction id offset for restores',
  up: `
    CREATE FUNCTION iwf_events.tx_offset() RETURNS bigint
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 0::bigint';

    ALTER TABLE iwf_events.events
      ALTER COLUMN tx_id SET DEFAULT (pg_current_xact_id()::text::bigint + iwf_events.tx_offset())::text::xid8;

    -- The log's id of the current transaction; what an append reports as its commit position.
    CREATE FUNCTION iwf_events.current_tx_id() RETURNS xid8
      LANGUAGE sql VOLATILE AS 'SELECT (pg_current_xact_id()::text::bigint + iwf_events.tx_offset())::text::xid8';

    -- Appends report that id as their position. The append function (migration 2) asks for
    -- pg_current_xact_id(); its call is rewritten here rather than the function restated, and
    -- the rewrite finds nothing to do once the function calls current_tx_id() itself.
    DO $do$
    DECLARE
      v_definition text := pg_get_functiondef('iwf_events.append'::regproc);
    BEGIN
      IF position('pg_current_xact_id()' IN v_definition) > 0 THEN
        EXECUTE replace(v_definition, 'pg_current_xact_id()', 'iwf_events.current_tx_id()');
      END IF;
    END
    $do$;

    CREATE TABLE iwf_events.tx_epochs (
      epoch integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      tx_offset bigint NOT NULL,
      last_restored_tx xid8,
      first_tx xid8 NOT NULL
    );

    CREATE FUNCTION iwf_events.continue_after_restore(
      OUT epoch integer, OUT tx_offset bigint, OUT last_restored_tx xid8, OUT first_tx xid8
    ) LANGUAGE plpgsql AS $fn$
    DECLARE
      v_last bigint;
      v_cluster bigint;
    BEGIN
      -- Run with no writer connected: an append that took its transaction id before this one
      -- and inserted after it could still land below the restored events.
      LOCK TABLE iwf_events.events IN EXCLUSIVE MODE;
      SELECT e.tx_id::text::bigint INTO v_last FROM iwf_events.events e ORDER BY e.tx_id DESC, e.position DESC LIMIT 1;
      v_cluster := pg_current_xact_id()::text::bigint;
      -- Every later transaction of this cluster has a larger id, so it sorts after v_last.
      tx_offset := greatest(0, coalesce(v_last, 0) + 1 - v_cluster);
      EXECUTE format(
        'CREATE OR REPLACE FUNCTION iwf_events.tx_offset() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        format('SELECT %s::bigint', tx_offset));
      last_restored_tx := v_last::text::xid8;
      first_tx := (v_cluster + tx_offset)::text::xid8;
      INSERT INTO iwf_events.tx_epochs (tx_offset, last_restored_tx, first_tx)
        VALUES (tx_offset, last_restored_tx, first_tx)
        RETURNING tx_epochs.epoch INTO epoch;
    END
    $fn$;
  `,
  down: `
    DROP FUNCTION iwf_events.continue_after_restore();
    DROP TABLE iwf_events.tx_epochs;
    DO $do$
    DECLARE
      v_definition text := pg_get_functiondef('iwf_events.append'::regproc);
    BEGIN
      EXECUTE replace(v_definition, 'iwf_events.current_tx_id()', 'pg_current_xact_id()');
    END
    $do$;
    DROP FUNCTION iwf_events.current_tx_id();
    ALTER TABLE iwf_events.events ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id();
    DROP FUNCTION iwf_events.tx_offset();
  `,
};
