import type pg from 'pg';
import { lastCronFire, nextCronFire } from '@iwf/contracts';
import { startExecution } from '../../ingest/start.js';
import { triggerOf } from '../../ingest/trigger-index.js';
import type { ExecutionRunner } from './execution-runner.js';
import { engineIds } from './ids.js';
import { dropTimer } from './timers.js';

export interface ScheduleDeps {
  readonly pool: pg.Pool;
  readonly runner: ExecutionRunner;
  readonly clock: () => Date;
}

/**
 * A schedule's timer is due. It starts one execution for the latest tick at or before now
 * (after downtime: that one tick, not every tick missed), with an id derived from the
 * workflow and the tick, so replicas firing the same tick start it once. Then the timer moves
 * to the next tick; it only ever moves forward, so a replica firing late cannot move it back.
 */
export async function fireSchedule(deps: ScheduleDeps, tenant: string, workflowId: string, dueAt: Date): Promise<void> {
  const row = await triggerOf(deps.pool, tenant, workflowId);
  if (row === undefined || !row.enabled || row.archived || row.trigger_type !== 'schedule' || row.cron === null) {
    await dropTimer(deps.pool, tenant, 'schedule', workflowId);
    return;
  }
  const timezone = row.timezone ?? 'UTC';
  const now = deps.clock();
  const latest = lastCronFire(row.cron, now, timezone);
  const tick = latest === undefined || latest < dueAt ? dueAt : latest;
  const scheduledFor = tick.toISOString();
  await startExecution(
    deps.runner,
    tenant,
    engineIds.scheduleExecution(tenant, workflowId, scheduledFor),
    row,
    { trigger: { kind: 'schedule', scheduled_for: scheduledFor }, payload: {} },
    { actor: 'system:scheduler', correlation_id: `schedule:${workflowId}:${scheduledFor}` },
  );
  const next = nextCronFire(row.cron, now > tick ? now : tick, timezone);
  await deps.pool.query(
    `UPDATE iwf_command.engine_timers SET due_at = $3, claimed_by = NULL, claimed_until = NULL
     WHERE tenant = $1 AND owner_kind = 'schedule' AND owner_id = $2 AND timer_id = 'tick' AND due_at < $3`,
    [tenant, workflowId, next.toISOString()],
  );
}
