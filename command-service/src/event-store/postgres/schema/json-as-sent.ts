import type { Migration } from '@iwf/platform/db/migrations';

/**
 * Events keep their data and metadata as the writer sent them: the two columns become `json`
 * (the text, checked to be JSON) instead of `jsonb` (parsed into a binary tree with its keys
 * sorted). The log is written far more often than it is searched, and what reads it wants the
 * text back: `jsonb` made every append parse and rebuild each event's JSON and render it back to
 * text for the hash chain, and made every read render it once more.
 *
 * - The chain's bytes are unchanged: they cover `data::text` and `metadata::text`, which is now
 *   the text as sent (chain.ts reads the same columns the same way). Stored events become the
 *   `jsonb` rendering they were hashed over, so their chains still hold.
 * - `iwf_events.append_json` and `iwf_events.append_json_batch` are `append` and `append_batch`
 *   (migrations 2 to 6) taking `json`: each event's element of the JSON arrays is stored and
 *   hashed as it appears there. The `jsonb` functions stay for services of the previous version
 *   during a rolling upgrade: they store (and hash) PostgreSQL's rendering of what they parsed.
 * - Going back drops the `json` functions, which is all the previous version needs: its `jsonb`
 *   functions and reads work on either column type. The columns return to `jsonb` only if every
 *   stored text is what `jsonb` renders; an event appended since holds other text, its hash
 *   covers that text, and converting it would break its stream's chain, so then they stay `json`.
 */
const JSON_ELEMENTS = (name: string): string => `ARRAY(SELECT ${name} FROM json_array_elements(p_${name}) AS ${name})`;

const EXPECTED_EVERY_ELEMENT = (events: string): string => `
      IF cardinality(v_data) <> ${events} OR cardinality(v_metadata) <> ${events} THEN
        RAISE EXCEPTION 'data and metadata need one JSON element per event (% events, % data, % metadata)',
          ${events}, cardinality(v_data), cardinality(v_metadata) USING ERRCODE = 'invalid_parameter_value';
      END IF;`;

/** One link of the chain (append-function.ts has the layout), for event `e` of revision `rev`. */
const LINK = (previous: string, rev: string, e: string): string => `sha256(${previous} || int8send(${rev}) || uuid_send(p_event_ids[${e}])
          || convert_to(p_types[${e}], 'UTF8') || '\\x00'::bytea || int4send(p_schema_versions[${e}])
          || convert_to(v_data[${e}]::text, 'UTF8') || '\\x00'::bytea
          || convert_to(v_metadata[${e}]::text, 'UTF8') || '\\x00'::bytea || v_recorded)`;

export const jsonAsSentMigration: Migration = {
  version: 7,
  name: 'events keep their JSON as sent',
  up: `
    ALTER TABLE iwf_events.events
      ALTER COLUMN data TYPE json USING data::json,
      ALTER COLUMN metadata TYPE json USING metadata::json;

    CREATE FUNCTION iwf_events.append_json(
      p_stream_id text, p_expected bigint, p_event_ids uuid[], p_types text[], p_schema_versions integer[],
      p_data json, p_metadata json, p_check_ids boolean,
      OUT status smallint, OUT next_revision bigint, OUT commit_tx xid8, OUT last_position bigint, OUT duplicate_id uuid
    ) LANGUAGE plpgsql AS $fn$
    DECLARE
      v_count integer := cardinality(p_event_ids);
      v_data json[] := ${JSON_ELEMENTS('data')};
      v_metadata json[] := ${JSON_ELEMENTS('metadata')};
      v_last bigint;
      v_hash bytea;
      v_hashes bytea[];
      v_recorded bytea := timestamptz_send(now());
    BEGIN
      ${EXPECTED_EVERY_ELEMENT('v_count')}
      IF p_check_ids THEN
        SELECT * INTO status, next_revision, commit_tx, last_position, duplicate_id
          FROM iwf_events.find_appended(p_stream_id, p_event_ids, p_types);
        IF status IS NOT NULL THEN RETURN; END IF;
      END IF;

      SELECT s.last_revision, s.last_hash INTO v_last, v_hash
        FROM iwf_events.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
      IF v_hash IS NULL THEN
        v_last := -1;
        v_hash := sha256(convert_to(p_stream_id, 'UTF8'));
      END IF;

      IF NOT (p_expected = v_last OR p_expected = -2 OR (p_expected = -3 AND v_last >= 0)) THEN
        SELECT * INTO status, next_revision, commit_tx, last_position, duplicate_id
          FROM iwf_events.find_appended(p_stream_id, p_event_ids, p_types);
        IF status IS NULL THEN
          status := 1;
          next_revision := v_last;
        END IF;
        RETURN;
      END IF;

      FOR i IN 1 .. v_count LOOP
        v_hash := ${LINK('v_hash', 'v_last + i', 'i')};
        v_hashes[i] := v_hash;
      END LOOP;

      WITH inserted AS (
        INSERT INTO iwf_events.events (stream_id, stream_revision, event_id, type, schema_version, data, metadata, hash)
        SELECT p_stream_id, v_last + e.n, e.id, e.type, e.version, v_data[e.n], v_metadata[e.n], e.hash
          FROM ROWS FROM (unnest(p_event_ids), unnest(p_types), unnest(p_schema_versions), unnest(v_hashes))
               WITH ORDINALITY AS e(id, type, version, hash, n)
        RETURNING position
      ), head AS (
        INSERT INTO iwf_events.streams AS s (stream_id, last_revision, last_hash)
        VALUES (p_stream_id, v_last + v_count, v_hash)
        ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision, last_hash = excluded.last_hash
      )
      SELECT 0, v_last + v_count, iwf_events.current_tx_id(), max(inserted.position)
        INTO status, next_revision, commit_tx, last_position
        FROM inserted;
    END
    $fn$;

    CREATE FUNCTION iwf_events.write_json_batch(
      p_streams text[], p_revisions bigint[], p_event_ids uuid[], p_types text[], p_schema_versions integer[],
      p_data json[], p_metadata json[], p_hashes bytea[], p_from integer, p_to integer,
      p_head_ids text[], p_head_last bigint[], p_head_hash bytea[], p_head_moved boolean[]
    ) RETURNS bigint[] LANGUAGE plpgsql AS $fn$
    DECLARE
      v_positions bigint[];
    BEGIN
      WITH inserted AS (
        INSERT INTO iwf_events.events (stream_id, stream_revision, event_id, type, schema_version, data, metadata, hash)
        SELECT e.stream, e.revision, e.id, e.type, e.version, p_data[e.n], p_metadata[e.n], e.hash
          FROM ROWS FROM (unnest(p_streams), unnest(p_revisions), unnest(p_event_ids), unnest(p_types), unnest(p_schema_versions),
                          unnest(p_hashes))
               WITH ORDINALITY AS e(stream, revision, id, type, version, hash, n)
         WHERE e.n BETWEEN p_from AND p_to AND e.hash IS NOT NULL
        RETURNING position
      ), heads AS (
        INSERT INTO iwf_events.streams AS s (stream_id, last_revision, last_hash)
        SELECT h.id, h.last, h.hash FROM unnest(p_head_ids, p_head_last, p_head_hash, p_head_moved) AS h(id, last, hash, moved)
        WHERE h.moved
        ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision, last_hash = excluded.last_hash
      )
      SELECT coalesce(array_agg(position ORDER BY position), '{}') INTO v_positions FROM inserted;
      RETURN v_positions;
    END
    $fn$;

    CREATE FUNCTION iwf_events.append_json_batch(
      p_stream_ids text[], p_expected bigint[], p_counts integer[], p_event_ids uuid[], p_types text[],
      p_schema_versions integer[], p_data json, p_metadata json
    ) RETURNS TABLE (status smallint, next_revision bigint, commit_tx xid8, last_position bigint, duplicate_id uuid)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_appends integer := cardinality(p_stream_ids);
      v_events integer := cardinality(p_event_ids);
      v_data json[] := ${JSON_ELEMENTS('data')};
      v_metadata json[] := ${JSON_ELEMENTS('metadata')};
      v_recorded bytea := timestamptz_send(now());
      v_tx xid8 := iwf_events.current_tx_id();
      v_head_ids text[];
      v_head_last bigint[];
      v_head_hash bytea[];
      v_head_moved boolean[];
      v_event_stream text[] := array_fill(NULL::text, ARRAY[v_events]);
      v_event_rev bigint[] := array_fill(NULL::bigint, ARRAY[v_events]);
      v_event_hash bytea[] := array_fill(NULL::bytea, ARRAY[v_events]);
      v_status smallint[] := array_fill(NULL::smallint, ARRAY[v_appends]);
      v_next bigint[] := array_fill(NULL::bigint, ARRAY[v_appends]);
      v_tx_out xid8[] := array_fill(NULL::xid8, ARRAY[v_appends]);
      v_last_pos bigint[] := array_fill(NULL::bigint, ARRAY[v_appends]);
      v_dup uuid[] := array_fill(NULL::uuid, ARRAY[v_appends]);
      v_written_upto integer[] := array_fill(NULL::integer, ARRAY[v_appends]);
      v_positions bigint[] := '{}';
      v_flushed integer := 0;
      v_written integer := 0;
      v_first integer := 1;
      v_h integer;
      v_last bigint;
      v_hash bytea;
      v_found record;
    BEGIN
      ${EXPECTED_EVERY_ELEMENT('v_events')}
      SELECT array_agg(s.stream_id), array_agg(s.last_revision), array_agg(s.last_hash), array_agg(false)
        INTO v_head_ids, v_head_last, v_head_hash, v_head_moved
        FROM (SELECT h.stream_id, h.last_revision, h.last_hash FROM iwf_events.streams h
              WHERE h.stream_id = ANY (p_stream_ids) ORDER BY h.stream_id FOR UPDATE) s;

      FOR i IN 1 .. v_appends LOOP
        v_h := array_position(v_head_ids, p_stream_ids[i]);
        IF v_h IS NULL THEN
          v_head_ids := v_head_ids || p_stream_ids[i];
          v_head_last := v_head_last || (-1)::bigint;
          v_head_hash := v_head_hash || sha256(convert_to(p_stream_ids[i], 'UTF8'));
          v_head_moved := v_head_moved || false;
          v_h := cardinality(v_head_ids);
        END IF;
        v_last := v_head_last[v_h];
        v_hash := v_head_hash[v_h];
        IF p_expected[i] = v_last OR p_expected[i] = -2 OR (p_expected[i] = -3 AND v_last >= 0) THEN
          FOR e IN v_first .. v_first + p_counts[i] - 1 LOOP
            v_last := v_last + 1;
            v_hash := ${LINK('v_hash', 'v_last', 'e')};
            v_event_stream[e] := p_stream_ids[i];
            v_event_rev[e] := v_last;
            v_event_hash[e] := v_hash;
          END LOOP;
          v_head_last[v_h] := v_last;
          v_head_hash[v_h] := v_hash;
          v_head_moved[v_h] := true;
          v_written := v_written + p_counts[i];
          v_status[i] := 0;
          v_next[i] := v_last;
          v_tx_out[i] := v_tx;
          v_written_upto[i] := v_written;
        ELSE
          IF v_flushed < v_first - 1 THEN
            v_positions := v_positions || iwf_events.write_json_batch(v_event_stream, v_event_rev, p_event_ids, p_types,
              p_schema_versions, v_data, v_metadata, v_event_hash, v_flushed + 1, v_first - 1,
              v_head_ids, v_head_last, v_head_hash, v_head_moved);
          END IF;
          v_flushed := v_first + p_counts[i] - 1;
          SELECT * INTO v_found FROM iwf_events.find_appended(p_stream_ids[i], p_event_ids[v_first : v_first + p_counts[i] - 1], p_types[v_first : v_first + p_counts[i] - 1]);
          IF v_found.status IS NULL THEN
            v_status[i] := 1;
            v_next[i] := v_last;
          ELSE
            v_status[i] := v_found.status;
            v_next[i] := v_found.next_revision;
            v_tx_out[i] := v_found.commit_tx;
            v_last_pos[i] := v_found.last_position;
            v_dup[i] := v_found.duplicate_id;
          END IF;
        END IF;
        v_first := v_first + p_counts[i];
      END LOOP;

      v_positions := v_positions || iwf_events.write_json_batch(v_event_stream, v_event_rev, p_event_ids, p_types,
        p_schema_versions, v_data, v_metadata, v_event_hash, v_flushed + 1, v_events,
        v_head_ids, v_head_last, v_head_hash, v_head_moved);

      FOR i IN 1 .. v_appends LOOP
        IF v_status[i] = 0 THEN v_last_pos[i] := v_positions[v_written_upto[i]]; END IF;
      END LOOP;
      RETURN QUERY SELECT * FROM unnest(v_status, v_next, v_tx_out, v_last_pos, v_dup);
    END
    $fn$;
  `,
  down: `
    DROP FUNCTION iwf_events.append_json_batch(text[], bigint[], integer[], uuid[], text[], integer[], json, json);
    DROP FUNCTION iwf_events.write_json_batch(text[], bigint[], uuid[], text[], integer[], json[], json[], bytea[], integer, integer,
      text[], bigint[], bytea[], boolean[]);
    DROP FUNCTION iwf_events.append_json(text, bigint, uuid[], text[], integer[], json, json, boolean);
    DO $do$
    BEGIN
      IF EXISTS (SELECT FROM iwf_events.events e
                 WHERE e.data::text <> e.data::jsonb::text OR e.metadata::text <> e.metadata::jsonb::text) THEN
        RAISE NOTICE 'iwf_events.events keeps json columns: events appended since migration 7 hold text that jsonb would render differently, and their hashes cover that text';
      ELSE
        ALTER TABLE iwf_events.events
          ALTER COLUMN data TYPE jsonb USING data::jsonb,
          ALTER COLUMN metadata TYPE jsonb USING metadata::jsonb;
      END IF;
    END
    $do$;
  `,
};
