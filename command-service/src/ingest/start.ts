import type { ExecutionTrigger, JsonRecord, TriggerEventInfo } from '@iwf/contracts';
import type { Actor, ExecutionRunner } from '../engine/runtime/execution-runner.js';
import type { ExecutionStatus } from '../engine/runtime/status-bus.js';
import type { TriggerRow } from './trigger-index.js';

/** What a start needs of a workflow: its definition at the revision the execution is pinned to. */
export type StartableWorkflow = Pick<TriggerRow, 'workflow_id' | 'definition_revision' | 'version' | 'definition'>;

export interface StartInput {
  readonly trigger: ExecutionTrigger;
  readonly payload: JsonRecord;
  readonly event?: TriggerEventInfo | undefined;
}

/**
 * Starts an execution of the workflow as the index has it now (its definition revision is
 * pinned in ExecutionStarted). Starting an id that exists changes nothing, so callers derive
 * ids from what triggered them and may repeat.
 */
export async function startExecution(
  runner: ExecutionRunner,
  tenant: string,
  executionId: string,
  row: StartableWorkflow,
  input: StartInput,
  actor: Actor,
): Promise<{ readonly execution_id: string; readonly status: ExecutionStatus }> {
  const applied = await runner.send(
    tenant,
    executionId,
    {
      type: 'StartExecution',
      data: {
        execution_id: executionId,
        workflow_id: row.workflow_id,
        workflow_revision: row.definition_revision,
        workflow_version: row.version,
        definition: row.definition,
        trigger: input.trigger,
        payload: input.payload,
        event: input.event,
      },
    },
    actor,
  );
  const { state } = applied;
  const status: ExecutionStatus = {
    tenant,
    execution_id: executionId,
    workflow_id: row.workflow_id,
    status: state.status === 'not_started' ? 'not_started' : state.status,
    decision: state.status === 'not_started' ? null : state.decision,
    revision: applied.revision,
    position: applied.position,
  };
  return { execution_id: executionId, status };
}
