import type pg from 'pg';
import type { StartableWorkflow } from './start.js';
import type { WaitRows } from './waits.js';

/**
 * Who an event concerns, in one round trip: the enabled event-triggered workflows whose
 * pattern matches its type (trigger index), and the waits indexed for its type. Both are
 * write-side indexes, current as of every answered command.
 */
const LOOKUP = `
  SELECT
    (SELECT coalesce(jsonb_agg(t ORDER BY t.workflow_id), '[]'::jsonb) FROM (
      SELECT workflow_id, definition_revision, version, definition FROM iwf_command.trigger_index
      WHERE tenant = $1 AND enabled AND NOT archived AND trigger_type = 'event'
        AND (trigger_event = $2 OR (right(trigger_event, 1) = '*' AND starts_with($2, left(trigger_event, -1))))
    ) t) AS triggers,
    (SELECT coalesce(jsonb_agg(w), '[]'::jsonb) FROM (
      SELECT execution_id, match_field, match_value FROM iwf_command.engine_waits
      WHERE tenant = $1 AND (event_type = $2 OR (right(event_type, 1) = '*' AND starts_with($2, left(event_type, -1))))
    ) w) AS waits`;

export async function lookupEvent(pool: pg.Pool, tenant: string, eventType: string): Promise<{ triggers: StartableWorkflow[]; waits: WaitRows }> {
  const result = await pool.query<{ triggers: StartableWorkflow[]; waits: WaitRows }>({ name: 'iwf_engine_lookup_event', text: LOOKUP, values: [tenant, eventType] });
  return result.rows[0] ?? { triggers: [], waits: [] };
}
