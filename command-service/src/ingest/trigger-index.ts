import type pg from 'pg';
import type { WorkflowDefinitionBody } from '@iwf/contracts';
import { nextCronFire } from '@iwf/contracts';
import type { WorkflowState } from '../workflows/domain/state.js';

type Db = Pick<pg.Pool, 'query'>;

/** One workflow as ingest, manual starts and schedules see it: always as of its last append. */
export interface TriggerRow {
  readonly tenant: string;
  readonly workflow_id: string;
  readonly enabled: boolean;
  readonly archived: boolean;
  readonly trigger_type: 'event' | 'schedule' | 'manual';
  readonly trigger_event: string | null;
  readonly cron: string | null;
  readonly timezone: string | null;
  readonly definition_revision: number;
  readonly version: string;
  readonly definition: WorkflowDefinitionBody;
  readonly stream_revision: number;
}

const COLUMNS = `tenant, workflow_id, enabled, archived, trigger_type, trigger_event, cron, timezone,
  definition_revision, version, definition, stream_revision::int AS stream_revision`;

/**
 * Writes the workflow's row from its folded state, unless a newer revision is already there,
 * and keeps its schedule timer: present (next tick after `now`) while it is an enabled
 * schedule, absent otherwise. A changed cron or time zone reschedules; the same one keeps
 * the pending tick, so re-indexing never skips or repeats one.
 */
const UPSERT = `
  WITH row AS (
    INSERT INTO iwf_command.trigger_index AS t (tenant, workflow_id, enabled, archived, trigger_type, trigger_event, cron, timezone,
      definition_revision, version, definition, stream_revision)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (tenant, workflow_id) DO UPDATE SET enabled = EXCLUDED.enabled, archived = EXCLUDED.archived,
      trigger_type = EXCLUDED.trigger_type, trigger_event = EXCLUDED.trigger_event, cron = EXCLUDED.cron, timezone = EXCLUDED.timezone,
      definition_revision = EXCLUDED.definition_revision, version = EXCLUDED.version, definition = EXCLUDED.definition,
      stream_revision = EXCLUDED.stream_revision, updated_at = now()
    WHERE t.stream_revision <= EXCLUDED.stream_revision
    RETURNING tenant, workflow_id
  ), unscheduled AS (
    DELETE FROM iwf_command.engine_timers x USING row
    WHERE NOT $13::boolean AND x.tenant = row.tenant AND x.owner_kind = 'schedule' AND x.owner_id = row.workflow_id
  ), scheduled AS (
    INSERT INTO iwf_command.engine_timers (tenant, owner_kind, owner_id, timer_id, kind, due_at, data)
    SELECT row.tenant, 'schedule', row.workflow_id, 'tick', 'schedule_tick', $14::timestamptz, $15::jsonb FROM row WHERE $13::boolean
    ON CONFLICT (tenant, owner_kind, owner_id, timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, data = EXCLUDED.data,
      claimed_by = NULL, claimed_until = NULL
    WHERE iwf_command.engine_timers.data IS DISTINCT FROM EXCLUDED.data
  )
  SELECT count(*)::int AS written FROM row`;

/** Indexes a workflow's state at a stream revision; true when the row was written. */
export async function indexWorkflow(db: Db, tenant: string, revision: number, state: WorkflowState, now: Date): Promise<boolean> {
  if (state.status === 'absent') return false;
  const { trigger } = state.content.definition;
  const enabled = state.status === 'active' && state.enabled;
  const cron = trigger.type === 'schedule' ? trigger.cron : null;
  const timezone = trigger.type === 'schedule' ? (trigger.timezone ?? 'UTC') : null;
  const scheduled = enabled && cron !== null && timezone !== null;
  const due = scheduled ? nextCronFire(cron, now, timezone).toISOString() : null;
  const result = await db.query<{ written: number }>(UPSERT, [
    tenant,
    state.workflow_id,
    enabled,
    state.status === 'archived',
    trigger.type,
    trigger.type === 'event' ? trigger.event : null,
    cron,
    timezone,
    state.definition_revision,
    state.content.version,
    JSON.stringify(state.content.definition),
    revision,
    scheduled,
    due,
    JSON.stringify(scheduled ? { cron, timezone } : {}),
  ]);
  return (result.rows[0]?.written ?? 0) > 0;
}

export async function triggerOf(db: Db, tenant: string, workflowId: string): Promise<TriggerRow | undefined> {
  const result = await db.query<TriggerRow>(`SELECT ${COLUMNS} FROM iwf_command.trigger_index WHERE tenant = $1 AND workflow_id = $2`, [tenant, workflowId]);
  return result.rows[0];
}

/** Stream revisions the index holds for these workflows, to find rows a crash left behind. */
export async function indexedRevisions(db: Db, keys: readonly { tenant: string; workflow_id: string }[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const result = await db.query<{ tenant: string; workflow_id: string; stream_revision: number }>(
    `SELECT t.tenant, t.workflow_id, t.stream_revision::int AS stream_revision FROM iwf_command.trigger_index t
     JOIN unnest($1::text[], $2::text[]) AS k(tenant, workflow_id) USING (tenant, workflow_id)`,
    [keys.map((key) => key.tenant), keys.map((key) => key.workflow_id)],
  );
  return new Map(result.rows.map((row) => [`${row.tenant}\u0000${row.workflow_id}`, row.stream_revision]));
}
