import type { AppendResult, ApprovalEvent, EventStore, ExecutionEvent, NewEvent } from '@iwf/contracts';
import { parseStreamId, streamId as streamIdOf, withAppend } from '@iwf/contracts';
import { streamCategory } from './event-store.js';
import type { FinishedStatus, WorkflowMetrics } from './workflow.js';

/** A Map that forgets its oldest entries past `limit`, so memory stays bounded. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as string);
    return this;
  }
}

type Ending = 'ExecutionCompleted' | 'ExecutionFailed' | 'ExecutionCancelled' | 'ExecutionTimedOut';
const FINISHED: Readonly<Record<Ending, FinishedStatus>> = {
  ExecutionCompleted: 'completed',
  ExecutionFailed: 'failed',
  ExecutionCancelled: 'cancelled',
  ExecutionTimedOut: 'timed_out',
};

const isEnding = (event: ExecutionEvent): event is Extract<ExecutionEvent, { type: Ending }> => event.type in FINISHED;

const seconds = (from: number, to: string): number => Math.max(0, (Date.parse(to) - from) / 1000);

/**
 * Feeds the workflow metrics from the execution events (and approval withdrawals) this process appends: whatever path
 * runs an execution, its events say what happened, once (a repeated append adds nothing).
 * Observation runs after the append answered and never fails or delays it.
 */
export function observeExecutionEvents(store: EventStore, metrics: WorkflowMetrics, onError: (error: unknown) => void = () => undefined): EventStore {
  const workflows = new BoundedMap<string>(10_000);
  const steps = new BoundedMap<{ type: string; at: number }>(50_000);
  const approvals = new BoundedMap<number>(10_000);

  // Events after the start name no workflow; a stream this process did not start is asked once.
  const workflowOf = async (streamId: string): Promise<string> => {
    const known = workflows.get(streamId);
    if (known) return known;
    const [first] = await store.readStream(streamId, { max_count: 1 });
    const workflow = first?.type === 'ExecutionStarted' ? String((first.data as { workflow_id?: unknown }).workflow_id) : 'unknown';
    workflows.set(streamId, workflow);
    return workflow;
  };

  const observe = async (streamId: string, events: readonly NewEvent[]): Promise<void> => {
    for (const event of events as readonly (NewEvent & ExecutionEvent)[]) {
      if (event.type === 'ExecutionStarted') {
        workflows.set(streamId, event.data.workflow_id);
        metrics.executionStarted(event.data.workflow_id);
        continue;
      }
      const key = `${streamId}#${'run' in event.data ? event.data.run : ''}`;
      if (event.type === 'StepStarted') {
        if (!steps.has(key)) steps.set(key, { type: event.data.step_type, at: Date.parse(event.data.at) });
      } else if (event.type === 'StepCompleted' || event.type === 'StepFailed') {
        const started = steps.get(key);
        // A failed attempt that will be retried is not the end of the step run.
        if (!started || (event.type === 'StepFailed' && event.data.retry_at !== null)) continue;
        steps.delete(key);
        metrics.stepFinished(await workflowOf(streamId), started.type, event.type === 'StepCompleted' ? 'completed' : 'failed', seconds(started.at, event.data.at));
      } else if (event.type === 'ApprovalRequested') {
        approvals.set(event.data.approval_id, Date.parse(event.data.at));
        metrics.approvalRequested(await workflowOf(streamId));
      } else if (event.type === 'ApprovalResolved') {
        const requested = approvals.get(event.data.approval_id);
        approvals.delete(event.data.approval_id);
        metrics.approvalDecided(await workflowOf(streamId), event.data.status, requested === undefined ? undefined : seconds(requested, event.data.at));
      } else if (isEnding(event)) {
        const decision = event.type === 'ExecutionCompleted' ? event.data.decision : null;
        metrics.executionFinished(await workflowOf(streamId), FINISHED[event.type], decision, event.data.duration_ms / 1000);
        workflows.delete(streamId);
      }
    }
  };

  // A withdrawal is on the approval's stream; its workflow is its execution's.
  const observeApproval = async (approvalStream: string, events: readonly NewEvent[]): Promise<void> => {
    const tenant = parseStreamId(approvalStream)?.tenant;
    if (tenant === undefined) return;
    for (const event of events as readonly (NewEvent & ApprovalEvent)[]) {
      if (event.type !== 'ApprovalWithdrawn') continue;
      metrics.approvalWithdrawn(await workflowOf(streamIdOf('execution', tenant, event.data.execution_id)), event.data.execution_status);
    }
  };

  return withAppend(store, async (streamId, events, expected): Promise<AppendResult> => {
    const result = await store.append(streamId, events, expected);
    if (!result.appended) return result;
    const category = streamCategory(streamId);
    if (category === 'execution') observe(streamId, events).catch(onError);
    else if (category === 'approval') observeApproval(streamId, events).catch(onError);
    return result;
  });
}
