import type pg from 'pg';
import type { StartableWorkflow } from './start.js';

/**
 * The enabled event-triggered workflows whose pattern matches an event type, from the trigger
 * index: a write-side index, current as of every answered workflow command. (The waits are
 * read later, once the event is recorded: see waits.ts.)
 */
const TRIGGERS = `
  SELECT workflow_id, definition_revision, version, definition FROM iwf_command.trigger_index
  WHERE tenant = $1 AND enabled AND NOT archived AND trigger_type = 'event'
    AND (trigger_event = $2 OR (right(trigger_event, 1) = '*' AND starts_with($2, left(trigger_event, -1))))
  ORDER BY workflow_id`;

export async function triggeredBy(pool: pg.Pool, tenant: string, eventType: string): Promise<StartableWorkflow[]> {
  return (await pool.query<StartableWorkflow>({ name: 'iwf_engine_triggered_by', text: TRIGGERS, values: [tenant, eventType] })).rows;
}
