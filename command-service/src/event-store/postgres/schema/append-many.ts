import type { Migration } from '@iwf/platform/db/migrations';

/**
 * `iwf_events.append_many` runs several appends, to any streams, in one transaction: each is a
 * call of `iwf_events.append` (same checks, revisions, idempotency and hash chain), in the order
 * given, and answers with one row per append in that order. It was how concurrent appends
 * shared one round trip and one commit until `iwf_events.append_batch` (migration 6) took its
 * place; it stays for services of the previous version during a rolling upgrade.
 *
 * Per append: the stream, its expected revision and its number of events; the events of all
 * appends follow one another in the flat id, type and version arrays, and data and metadata are
 * JSON arrays holding one array per append. A refused append (wrong revision, used id) is a
 * status in its row and does not affect the others; an error (a unique violation of a racing
 * writer, a deadlock) rolls back the whole call, and the caller replays the appends one by one.
 */
export const appendManyMigration: Migration = {
  version: 4,
  name: 'append many streams in one call',
  up: `
    CREATE FUNCTION iwf_events.append_many(
      p_stream_ids text[], p_expected bigint[], p_counts integer[], p_event_ids uuid[], p_types text[],
      p_schema_versions integer[], p_data jsonb, p_metadata jsonb
    ) RETURNS TABLE (status smallint, next_revision bigint, commit_tx xid8, last_position bigint, duplicate_id uuid)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_first integer := 1;
      v_last integer;
    BEGIN
      FOR i IN 1 .. cardinality(p_stream_ids) LOOP
        v_last := v_first + p_counts[i] - 1;
        RETURN QUERY SELECT a.status, a.next_revision, a.commit_tx, a.last_position, a.duplicate_id
          FROM iwf_events.append(p_stream_ids[i], p_expected[i], p_event_ids[v_first:v_last], p_types[v_first:v_last],
                                 p_schema_versions[v_first:v_last], p_data -> (i - 1), p_metadata -> (i - 1), false) AS a;
        v_first := v_last + 1;
      END LOOP;
    END
    $fn$;
  `,
  down: `
    DROP FUNCTION iwf_events.append_many(text[], bigint[], integer[], uuid[], text[], integer[], jsonb, jsonb);
  `,
};
