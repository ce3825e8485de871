import type { Migration } from '@iwf/platform/db/migrations';

/**
 * `iwf_events.append` does a whole append in one statement, so a client needs one round trip
 * in autocommit. Ids, types and versions come as arrays; data and metadata as one JSON array
 * each (cheaper to parse than arrays of jsonb). Expected revision: -2 any, -3 exists, -1 no stream, n >= 0 exact.
 * Status: 0 appended, 1 wrong revision (next_revision holds the actual, -1 for none),
 * 2 already appended (the original result), 3 an event id is used by another event.
 *
 * The id check is skipped on the first attempt (the unique index catches repeats); the client
 * retries with p_check_ids after a unique violation. A revision conflict always checks ids,
 * because a retried append arrives with the revision it expected before its first success.
 *
 * Hash chain, byte for byte (chain.ts recomputes it): genesis = sha256(utf8(stream_id));
 * hash(n) = sha256(hash(n-1) || int8(revision) || uuid(event_id) || utf8(type) || 0x00 ||
 *   int4(schema_version) || utf8(data::text) || 0x00 || utf8(metadata::text) || 0x00 ||
 *   timestamptz_send(recorded_at)), the last being PostgreSQL's 8-byte microseconds since 2000-01-01.
 */
/** The rows the append inserts, as this migration wrote them; migration 5 replaces this text. */
export const EVENT_ROWS_V2 = `SELECT p_stream_id, v_last + e.n, e.id, e.type, e.version, e.data, e.metadata, e.hash
          FROM ROWS FROM (unnest(p_event_ids), unnest(p_types), unnest(p_schema_versions),
                          jsonb_array_elements(p_data), jsonb_array_elements(p_metadata), unnest(v_hashes))
               WITH ORDINALITY AS e(id, type, version, data, metadata, hash, n)`;

/**
 * How an append function takes each event's JSON, and the rest that differs between
 * `iwf_events.append` (this migration: jsonb arrays) and `append_json` (migration 7).
 */
export interface AppendJson {
  readonly name: string;
  /** The type of the data and metadata arrays. */
  readonly type: string;
  /** Declarations added after the event count, each starting with a line break. */
  readonly declare: string;
  /** Statements opening the body, starting with a line break, given the variable holding the event count. */
  readonly check: (events: string) => string;
  /** Event `e`'s data or metadata as text: what the hash chain covers. */
  readonly text: (part: 'data' | 'metadata', e: string) => string;
  /** The rows inserted: stream, revision, id, type, version, data, metadata and hash per event. */
  readonly rows: string;
  /** The log's id of the current transaction, which the append reports. */
  readonly txId: string;
}

export const JSONB_APPEND: AppendJson = {
  name: 'append',
  type: 'jsonb',
  declare: '',
  check: () => '',
  text: (part, e) => `(p_${part} -> (${e} - 1))::text`,
  rows: EVENT_ROWS_V2,
  txId: 'pg_current_xact_id()',
};

/** The `CREATE FUNCTION` of an append function. */
export function appendFunction(json: AppendJson): string {
  return `    CREATE FUNCTION iwf_events.${json.name}(
      p_stream_id text, p_expected bigint, p_event_ids uuid[], p_types text[], p_schema_versions integer[],
      p_data ${json.type}, p_metadata ${json.type}, p_check_ids boolean,
      OUT status smallint, OUT next_revision bigint, OUT commit_tx xid8, OUT last_position bigint, OUT duplicate_id uuid
    ) LANGUAGE plpgsql AS $fn$
    DECLARE
      v_count integer := cardinality(p_event_ids);${json.declare}
      v_last bigint;
      v_hash bytea;
      v_hashes bytea[];
      v_recorded bytea := timestamptz_send(now());
    BEGIN${json.check('v_count')}
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
        v_hash := sha256(v_hash || int8send(v_last + i) || uuid_send(p_event_ids[i])
          || convert_to(p_types[i], 'UTF8') || '\\x00'::bytea || int4send(p_schema_versions[i])
          || convert_to(${json.text('data', 'i')}, 'UTF8') || '\\x00'::bytea
          || convert_to(${json.text('metadata', 'i')}, 'UTF8') || '\\x00'::bytea || v_recorded);
        v_hashes[i] := v_hash;
      END LOOP;

      -- One statement writes the events and the stream head, and reports where they landed.
      WITH inserted AS (
        INSERT INTO iwf_events.events (stream_id, stream_revision, event_id, type, schema_version, data, metadata, hash)
        ${json.rows}
        RETURNING position
      ), head AS (
        INSERT INTO iwf_events.streams AS s (stream_id, last_revision, last_hash)
        VALUES (p_stream_id, v_last + v_count, v_hash)
        ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision, last_hash = excluded.last_hash
      )
      SELECT 0, v_last + v_count, ${json.txId}, max(inserted.position)
        INTO status, next_revision, commit_tx, last_position
        FROM inserted;
    END
    $fn$;
`;
}

export const appendFunctionMigration: Migration = {
  version: 2,
  name: 'append function',
  up: `
    CREATE FUNCTION iwf_events.find_appended(
      p_stream_id text, p_event_ids uuid[], p_types text[],
      OUT status smallint, OUT next_revision bigint, OUT commit_tx xid8, OUT last_position bigint, OUT duplicate_id uuid
    ) LANGUAGE sql STABLE AS $fn$
      WITH found AS (
        SELECT r.n, e.event_id, e.stream_revision, e.tx_id, e.position,
               e.stream_id = p_stream_id AND e.type = r.type AS same
        FROM unnest(p_event_ids, p_types) WITH ORDINALITY AS r(id, type, n)
        JOIN iwf_events.events e ON e.event_id = r.id
      )
      SELECT CASE WHEN count(*) = cardinality(p_event_ids) AND bool_and(same) THEN 2 ELSE 3 END::smallint,
             max(stream_revision),
             (array_agg(tx_id ORDER BY stream_revision DESC))[1],
             (array_agg(position ORDER BY stream_revision DESC))[1],
             (array_agg(event_id ORDER BY same, n))[1]
      FROM found
      HAVING count(*) > 0
    $fn$;

${appendFunction(JSONB_APPEND)}  `,
  down: `
    DROP FUNCTION iwf_events.append(text, bigint, uuid[], text[], integer[], jsonb, jsonb, boolean);
    DROP FUNCTION iwf_events.find_appended(text, uuid[], text[]);
  `,
};
