import type pg from 'pg';
import type { EventIngested, EventStore, WorkflowEvent } from '@iwf/contracts';
import { streamId, upcastRecorded } from '@iwf/contracts';
import type { Actor, ExecutionRunner } from '../engine/runtime/execution-runner.js';
import type { ExecutionStatus } from '../engine/runtime/status-bus.js';
import { workflowDecider } from '../workflows/domain/decider.js';
import type { WorkflowState } from '../workflows/domain/state.js';
import type { StartableWorkflow } from './start.js';
import { startExecution } from './start.js';
import { triggerOf } from './trigger-index.js';
import type { IngestedEvent } from './waits.js';
import { deliverIngested } from './waits.js';

export interface RecoverDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly runner: ExecutionRunner;
}

/**
 * The workflow as it was at a definition revision: the index's row when it is still current,
 * else the workflow's stream folded up to that revision (its history is never deleted).
 */
export async function workflowAt(deps: RecoverDeps, tenant: string, workflowId: string, revision: number): Promise<StartableWorkflow | undefined> {
  const row = await triggerOf(deps.pool, tenant, workflowId);
  if (row?.definition_revision === revision) return row;
  const events = await deps.store.readStream(streamId('workflow', tenant, workflowId));
  let state: WorkflowState = workflowDecider.initialState;
  let found: StartableWorkflow | undefined;
  for (const event of events) {
    state = workflowDecider.evolve(state, upcastRecorded(event) as unknown as WorkflowEvent);
    if (state.status !== 'absent' && state.definition_revision === revision) {
      found = { workflow_id: workflowId, definition_revision: revision, version: state.content.version, definition: state.content.definition };
    }
  }
  return found;
}

/**
 * Makes sure every execution an ingest record names exists, starting (exactly as the first
 * attempt would have) any that a crash left unstarted, and answers their statuses. The ids
 * are derived, so starting one that exists changes nothing.
 */
export async function ensureStarted(deps: RecoverDeps, tenant: string, data: EventIngested['data'], actor: Actor): Promise<ExecutionStatus[]> {
  return Promise.all(
    data.executions.map(async (entry): Promise<ExecutionStatus> => {
      const { state, revision, position } = await deps.runner.read(tenant, entry.execution_id);
      if (state.status !== 'not_started') {
        return { tenant, execution_id: entry.execution_id, workflow_id: state.workflow_id, status: state.status, decision: state.decision, revision, position };
      }
      const workflow = await workflowAt(deps, tenant, entry.workflow_id, entry.workflow_revision);
      if (workflow === undefined) throw new Error(`workflow ${entry.workflow_id} has no definition revision ${entry.workflow_revision}`);
      const event = { id: data.event_id, type: data.event_type, source: data.source, received_at: data.received_at };
      const trigger = { kind: 'event' as const, event_id: data.event_id, event_type: data.event_type, source: data.source };
      return (await startExecution(deps.runner, tenant, entry.execution_id, workflow, { trigger, payload: data.payload, event }, actor)).status;
    }),
  );
}

/**
 * Finishes an ingest whose first attempt may have died after recording the event: starts the
 * executions the record names, then offers the event to the waits that opened before the
 * record (a crash between recording and offering skipped that). Both are idempotent, so a
 * retried event id or the repair may call it for an ingest that completed.
 */
export async function recoverIngested(deps: RecoverDeps, event: IngestedEvent, actor: Actor): Promise<{ started: ExecutionStatus[]; resumed: ExecutionStatus[] }> {
  const started = await ensureStarted(deps, event.tenant, event.data, actor);
  const resumed = await deliverIngested(deps, event, actor);
  return { started, resumed };
}
