import type { ExecutionDecision, ExecutionError, ExecutionStatus, JsonRecord, StepPath, TriggerKind } from '../execution/types.js';
import type { StepType } from '../workflow/schema-steps.js';

/** Where a step run stands: `retrying` waits for its next attempt, `waiting` for an event or a decision. */
export const STEP_RUN_STATUSES = ['running', 'waiting', 'retrying', 'completed', 'failed', 'timed_out', 'cancelled'] as const;
export type StepRunStatus = (typeof STEP_RUN_STATUSES)[number];

/**
 * One run of one step, in the order runs began. A step that ran twice (a loop, a foreach
 * body) appears twice; retries are attempts of the same run.
 */
export interface ExecutionStepView {
  /** Index of the run in the timeline. */
  readonly run: number;
  readonly step_id: string;
  readonly type: StepType;
  /** Enclosing parallel/foreach step ids and foreach iteration indexes, then the step id. */
  readonly path: StepPath;
  /** The run of the parallel/foreach step this run belongs to; null at the top level. */
  readonly parent_run: number | null;
  readonly status: StepRunStatus;
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly attempts: number;
  readonly output: unknown;
  /** The latest failed attempt's error, until the run completes. */
  readonly error: ExecutionError | null;
}

/** An execution in lists: everything but its context and timeline. */
export interface ExecutionSummaryView {
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly workflow_revision: number;
  readonly workflow_version: string;
  readonly trigger_kind: TriggerKind;
  readonly trigger_event_id: string | null;
  readonly status: ExecutionStatus;
  readonly decision: ExecutionDecision | null;
  /** The step that started last; null once the execution has completed. */
  readonly current_step_id: string | null;
  readonly error: ExecutionError | null;
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
  /** Time of the execution's last event. */
  readonly updated_at: string;
  /** The stream revision of its last event; also the ETag. */
  readonly revision: number;
}

/** An execution as `GET /executions/{id}` returns it (API.md "Resource shapes"). */
export interface ExecutionView extends ExecutionSummaryView {
  readonly context: JsonRecord;
  readonly steps: readonly ExecutionStepView[];
}

/** How many executions of a workflow are in each status. */
export type ExecutionCountsView = Readonly<Record<ExecutionStatus, number>> & { readonly total: number };
