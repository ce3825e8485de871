import type { Migration } from '@iwf/platform/db/migrations';
import { JSONB_APPEND } from './append-function.js';
import type { AppendJson } from './append-function.js';

/**
 * `iwf_events.append_batch` does what `append_many` (migration 4) does, with set-based writes:
 * it locks every stream head of the call in one query (in stream id order, so two calls cannot
 * deadlock on them), checks revisions and extends the hash chains append by append in memory,
 * then writes all accepted events and moved heads in one statement (`write_batch`). Calling
 * `iwf_events.append` once per append cost a query plan's start-up per append; with appends of
 * one event that was about a third of the server's time per event, and one statement instead of
 * an INSERT and an upsert saved about a sixth more (bench/README.md).
 *
 * Same arguments as `append_many`, except that data and metadata are flat JSON arrays, one
 * element per event, in the order of the ids. Same answers: one row per append, in order; a
 * wrong revision or an already appended append is a status in its row. Before such an append's
 * id check, the accepted events and heads before it are written, so the check sees them as the
 * one-by-one path would; the final write moves those heads again, to where they end. The chain bytes are migration 2's (chain.ts recomputes them).
 *
 * `append_many` stays for a service of the previous version during a rolling upgrade.
 */
/**
 * What differs between the batch functions of this migration (jsonb) and migration 7's (json),
 * besides what `AppendJson` names for the single append.
 */
export interface BatchJson extends Omit<AppendJson, 'rows' | 'txId'> {
  /** The write function's name, and the type its data and metadata come in. */
  readonly write: string;
  readonly writeType: string;
  /** What the append passes the write function as data and metadata. */
  readonly passed: string;
  /** Event `e.n`'s data or metadata in the write function's rows. */
  readonly element: (part: 'data' | 'metadata') => string;
}

const JSONB_BATCH: BatchJson = {
  name: 'append_batch',
  write: 'write_batch',
  type: 'jsonb',
  writeType: 'jsonb',
  declare: '',
  check: () => '',
  text: JSONB_APPEND.text,
  passed: 'p_data, p_metadata',
  element: (part) => `p_${part} -> (e.n::integer - 1)`,
};

/** The `CREATE FUNCTION`s of a batch's write function and of its append function. */
export function batchFunctions(json: BatchJson): string {
  return `    CREATE FUNCTION iwf_events.${json.write}(
      p_streams text[], p_revisions bigint[], p_event_ids uuid[], p_types text[], p_schema_versions integer[],
      p_data ${json.writeType}, p_metadata ${json.writeType}, p_hashes bytea[], p_from integer, p_to integer,
      p_head_ids text[], p_head_last bigint[], p_head_hash bytea[], p_head_moved boolean[]
    ) RETURNS bigint[] LANGUAGE plpgsql AS $fn$
    DECLARE
      v_positions bigint[];
    BEGIN
      WITH inserted AS (
        INSERT INTO iwf_events.events (stream_id, stream_revision, event_id, type, schema_version, data, metadata, hash)
        SELECT e.stream, e.revision, e.id, e.type, e.version, ${json.element('data')}, ${json.element('metadata')}, e.hash
          FROM ROWS FROM (unnest(p_streams), unnest(p_revisions), unnest(p_event_ids), unnest(p_types), unnest(p_schema_versions),
                          unnest(p_hashes)) WITH ORDINALITY AS e(stream, revision, id, type, version, hash, n)
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

    CREATE FUNCTION iwf_events.${json.name}(
      p_stream_ids text[], p_expected bigint[], p_counts integer[], p_event_ids uuid[], p_types text[],
      p_schema_versions integer[], p_data ${json.type}, p_metadata ${json.type}
    ) RETURNS TABLE (status smallint, next_revision bigint, commit_tx xid8, last_position bigint, duplicate_id uuid)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_appends integer := cardinality(p_stream_ids);
      v_events integer := cardinality(p_event_ids);${json.declare}
      v_recorded bytea := timestamptz_send(now());
      v_tx xid8 := iwf_events.current_tx_id();
      -- Stream heads: locked rows, then streams new to this call; updated as appends are accepted.
      v_head_ids text[];
      v_head_last bigint[];
      v_head_hash bytea[];
      v_head_moved boolean[];
      -- Per event (flat): its stream, revision and hash; no hash = not written.
      v_event_stream text[] := array_fill(NULL::text, ARRAY[v_events]);
      v_event_rev bigint[] := array_fill(NULL::bigint, ARRAY[v_events]);
      v_event_hash bytea[] := array_fill(NULL::bytea, ARRAY[v_events]);
      -- Per append: outcome, and how many written events precede its last one.
      v_status smallint[] := array_fill(NULL::smallint, ARRAY[v_appends]);
      v_next bigint[] := array_fill(NULL::bigint, ARRAY[v_appends]);
      v_tx_out xid8[] := array_fill(NULL::xid8, ARRAY[v_appends]);
      v_last_pos bigint[] := array_fill(NULL::bigint, ARRAY[v_appends]);
      v_dup uuid[] := array_fill(NULL::uuid, ARRAY[v_appends]);
      v_written_upto integer[] := array_fill(NULL::integer, ARRAY[v_appends]);
      v_positions bigint[] := '{}';
      v_flushed integer := 0;   -- events up to this index are inserted (or refused)
      v_written integer := 0;   -- events written so far (inserted or pending)
      v_first integer := 1;
      v_h integer;
      v_last bigint;
      v_hash bytea;
      v_found record;
    BEGIN${json.check('v_events')}
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
            v_hash := sha256(v_hash || int8send(v_last) || uuid_send(p_event_ids[e])
              || convert_to(p_types[e], 'UTF8') || '\\x00'::bytea || int4send(p_schema_versions[e])
              || convert_to(${json.text('data', 'e')}, 'UTF8') || '\\x00'::bytea
              || convert_to(${json.text('metadata', 'e')}, 'UTF8') || '\\x00'::bytea || v_recorded);
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
          -- Rare: write what is pending first, so the id check sees this call's earlier appends.
          IF v_flushed < v_first - 1 THEN
            v_positions := v_positions || iwf_events.${json.write}(v_event_stream, v_event_rev, p_event_ids, p_types,
              p_schema_versions, ${json.passed}, v_event_hash, v_flushed + 1, v_first - 1,
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

      v_positions := v_positions || iwf_events.${json.write}(v_event_stream, v_event_rev, p_event_ids, p_types,
        p_schema_versions, ${json.passed}, v_event_hash, v_flushed + 1, v_events,
        v_head_ids, v_head_last, v_head_hash, v_head_moved);

      FOR i IN 1 .. v_appends LOOP
        IF v_status[i] = 0 THEN v_last_pos[i] := v_positions[v_written_upto[i]]; END IF;
      END LOOP;
      RETURN QUERY SELECT * FROM unnest(v_status, v_next, v_tx_out, v_last_pos, v_dup);
    END
    $fn$;
`;
}

export const appendBatchMigration: Migration = {
  version: 6,
  name: 'set-based append of many streams in one call',
  up: `
${batchFunctions(JSONB_BATCH)}  `,
  down: `
    DROP FUNCTION iwf_events.append_batch(text[], bigint[], integer[], uuid[], text[], integer[], jsonb, jsonb);
    DROP FUNCTION iwf_events.write_batch(text[], bigint[], uuid[], text[], integer[], jsonb, jsonb, bytea[], integer, integer,
      text[], bigint[], bytea[], boolean[]);
  `,
};
