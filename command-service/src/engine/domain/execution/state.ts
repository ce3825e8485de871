import type {
  EffectKind,
  ExecutionError,
  ExecutionTrigger,
  JsonRecord,
  ParallelStrategy,
  ExecutionDecision,
  StepPath,
  StepType,
  WorkflowDefinitionBody,
} from '@iwf/contracts';

/**
 * The execution aggregate's state: the fold of its events. Besides what read models show
 * (status, decision, context, timeline) it holds the interpreter's position: threads
 * (cursors through step lists) and the progress of each active step run.
 */

/** What a step run is doing inside its current attempt; null once the run has ended. */
export type RunProgress =
  | { readonly kind: 'condition' }
  | {
      readonly kind: 'items';
      readonly decided: boolean;
      readonly next_item: number;
      readonly pending_effect: string | null;
      readonly results: readonly unknown[];
    }
  | { readonly kind: 'parallel'; readonly strategy: ParallelStrategy | null; readonly threads: readonly string[] }
  | {
      readonly kind: 'foreach';
      readonly items: readonly unknown[] | null;
      readonly item_var: string;
      readonly index: number;
      readonly thread: string | null;
    }
  | { readonly kind: 'wait'; readonly wait: WaitState | null }
  | { readonly kind: 'approval'; readonly approval_id: string | null };

export interface WaitState {
  readonly event_type: string;
  readonly match_field: string;
  readonly match_value: unknown;
  readonly timeout_at: string | null;
}

export type RunStatus = 'running' | 'waiting' | 'retrying' | 'completed' | 'failed' | 'timed_out' | 'cancelled';

/** One run of one step (a timeline entry). Retries are attempts of the same run. */
export interface StepRun {
  readonly run: number;
  readonly step_id: string;
  readonly step_type: StepType;
  readonly path: StepPath;
  readonly thread: string;
  /** How many earlier runs of this step the thread made since it was created (0-based). */
  readonly visit: number;
  readonly status: RunStatus;
  readonly attempts: number;
  readonly started_at: string;
  readonly attempt_started_at: string;
  /** The step timeout's deadline for the current attempt. */
  readonly deadline: string | null;
  readonly completed_at: string | null;
  readonly output: unknown;
  readonly error: ExecutionError | null;
  readonly retry_at: string | null;
  readonly progress: RunProgress | null;
}

export type ThreadOutcome = 'passed' | 'false' | 'failed';

export type Cursor =
  | { readonly kind: 'ready'; readonly step_id: string }
  | { readonly kind: 'active'; readonly run: number }
  | { readonly kind: 'done'; readonly outcome: ThreadOutcome; readonly run: number | null; readonly error: ExecutionError | null };

/**
 * A cursor through one step list: `main` walks the definition's steps; a parallel branch
 * (`<run>/<root step id>`) or a foreach iteration (`<run>/<index>`) walks its block's steps.
 */
export interface Thread {
  readonly id: string;
  /** Prefix of the paths of the steps it runs. */
  readonly scope: StepPath;
  /** Foreach variables in scope (item variable and `_index`), inherited by nested threads. */
  readonly vars: JsonRecord;
  readonly cursor: Cursor;
  readonly visits: Readonly<Record<string, number>>;
}

export interface PendingEffectState {
  readonly effect_id: string;
  readonly run: number | null;
  readonly step_id: string | null;
  readonly path: StepPath;
  readonly kind: EffectKind;
  readonly request: unknown;
  readonly idempotency_key: string;
  readonly deadline: string | null;
  readonly requested_at: string;
}

export interface ApprovalLink {
  readonly approval_id: string;
  readonly run: number;
  readonly step_id: string;
  readonly blocking: boolean;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
}

export interface ExecutionData {
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly workflow_revision: number;
  readonly workflow_version: string;
  readonly definition: WorkflowDefinitionBody;
  readonly trigger: ExecutionTrigger;
  readonly context: JsonRecord;
  readonly context_loading: 'pending' | 'requested' | 'done';
  readonly decision: ExecutionDecision | null;
  readonly started_at: string;
  readonly timeout_at: string | null;
  /** Time of the last event; orders nothing, shown as "last activity". */
  readonly updated_at: string;
  readonly current_step: { readonly step_id: string; readonly path: StepPath } | null;
  readonly steps: readonly StepRun[];
  /** In creation order; the interpreter scans them in this order. */
  readonly threads: readonly Thread[];
  readonly effects: readonly PendingEffectState[];
  readonly effect_count: number;
  readonly approvals: readonly ApprovalLink[];
  readonly delivered_event_ids: readonly string[];
}

export interface Ended {
  readonly completed_at: string;
  readonly duration_ms: number;
}

export type ActiveExecution = ExecutionData & { readonly status: 'running' | 'waiting' };
export type CompletedExecution = ExecutionData & Ended & { readonly status: 'completed' };
export type FailedExecution = ExecutionData &
  Ended & { readonly status: 'failed'; readonly error: ExecutionError; readonly failed_run: number | null };
export type CancelledExecution = ExecutionData & Ended & { readonly status: 'cancelled'; readonly cancelled_by: string };
export type TimedOutExecution = ExecutionData & Ended & { readonly status: 'timed_out' };

export type StartedExecution = ActiveExecution | CompletedExecution | FailedExecution | CancelledExecution | TimedOutExecution;
export type ExecutionState = { readonly status: 'not_started' } | StartedExecution;

export const initialState: ExecutionState = { status: 'not_started' };

export const isActive = (state: ExecutionState): state is ActiveExecution =>
  state.status === 'running' || state.status === 'waiting';
