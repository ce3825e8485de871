import type { Migration } from '@iwf/platform/db/migrations';

/**
 * The log and the per-stream heads.
 *
 * - `events` is keyed by (tx_id, position): that is the read order of the global log, and
 *   readers stop below the oldest running transaction so a late commit is never skipped.
 * - `streams` holds each stream's last revision and hash; appends lock its row, so writers
 *   to one stream serialise there and nowhere else.
 * - Statement triggers refuse UPDATE, DELETE and TRUNCATE of events (and removal of stream
 *   heads), so history can only grow.
 */
export const tablesMigration: Migration = {
  version: 1,
  name: 'events and streams tables, append-only guards',
  up: `
    CREATE TABLE iwf_events.streams (
      stream_id text PRIMARY KEY,
      last_revision bigint NOT NULL CHECK (last_revision >= 0),
      last_hash bytea NOT NULL
    ) WITH (fillfactor = 70); -- room for HOT updates of the head row

    CREATE TABLE iwf_events.events (
      position bigint GENERATED ALWAYS AS IDENTITY,
      tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      stream_id text NOT NULL,
      stream_revision bigint NOT NULL CHECK (stream_revision >= 0),
      event_id uuid NOT NULL,
      type text NOT NULL,
      schema_version integer NOT NULL DEFAULT 1,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      hash bytea NOT NULL,
      CONSTRAINT events_pkey PRIMARY KEY (tx_id, position),
      CONSTRAINT events_event_id_key UNIQUE (event_id),
      CONSTRAINT events_stream_revision_key UNIQUE (stream_id, stream_revision)
    );

    CREATE FUNCTION iwf_events.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $fn$;

    CREATE TRIGGER events_append_only
      BEFORE UPDATE OR DELETE OR TRUNCATE ON iwf_events.events
      FOR EACH STATEMENT EXECUTE FUNCTION iwf_events.refuse_rewrite();

    CREATE TRIGGER streams_keep_heads
      BEFORE DELETE OR TRUNCATE ON iwf_events.streams
      FOR EACH STATEMENT EXECUTE FUNCTION iwf_events.refuse_rewrite();
  `,
  down: `
    DROP TABLE iwf_events.events;
    DROP TABLE iwf_events.streams;
    DROP FUNCTION iwf_events.refuse_rewrite();
  `,
};
