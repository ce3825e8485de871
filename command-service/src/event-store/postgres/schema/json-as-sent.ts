import type { Migration } from '@iwf/platform/db/migrations';
import { batchFunctions } from './append-batch.js';
import type { BatchJson } from './append-batch.js';
import { appendFunction } from './append-function.js';
import type { AppendJson } from './append-function.js';

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
const declare = `
      v_data json[] := ARRAY(SELECT data FROM json_array_elements(p_data) AS data);
      v_metadata json[] := ARRAY(SELECT metadata FROM json_array_elements(p_metadata) AS metadata);`;

// JSON that spells a \u escape is read as jsonb as well, which refuses \u0000 and lone
// surrogates as the column did before (json keeps them, and no jsonb read model could take
// them, nor could ->> on a metadata row holding one). The client refuses them first; this holds
// for any other writer. Escapes are rare (JSON.stringify writes characters as themselves), so
// the common cost is a search of the text.
const check = (events: string): string => `
      IF cardinality(v_data) <> ${events} OR cardinality(v_metadata) <> ${events} THEN
        RAISE EXCEPTION 'data and metadata need one JSON element per event (% events, % data, % metadata)',
          ${events}, cardinality(v_data), cardinality(v_metadata) USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF strpos(p_data::text, '\\u') > 0 THEN PERFORM p_data::jsonb; END IF;
      IF strpos(p_metadata::text, '\\u') > 0 THEN PERFORM p_metadata::jsonb; END IF;`;

// Each event's element, split out of the call's arrays once; `json::text` is the text as sent.
const text = (part: 'data' | 'metadata', e: string): string => `v_${part}[${e}]::text`;

const JSON_APPEND: AppendJson = {
  name: 'append_json',
  type: 'json',
  declare,
  check,
  text,
  rows: `SELECT p_stream_id, v_last + e.n, e.id, e.type, e.version, v_data[e.n], v_metadata[e.n], e.hash
          FROM ROWS FROM (unnest(p_event_ids), unnest(p_types), unnest(p_schema_versions), unnest(v_hashes))
               WITH ORDINALITY AS e(id, type, version, hash, n)`,
  txId: 'iwf_events.current_tx_id()',
};

const JSON_BATCH: BatchJson = {
  name: 'append_json_batch',
  write: 'write_json_batch',
  type: 'json',
  writeType: 'json[]',
  declare,
  check,
  text,
  passed: 'v_data, v_metadata',
  element: (part) => `p_${part}[e.n]`,
};

export const jsonAsSentMigration: Migration = {
  version: 7,
  name: 'events keep their JSON as sent',
  up: `
    ALTER TABLE iwf_events.events
      ALTER COLUMN data TYPE json USING data::json,
      ALTER COLUMN metadata TYPE json USING metadata::json;
${appendFunction(JSON_APPEND)}${batchFunctions(JSON_BATCH)}  `,
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
