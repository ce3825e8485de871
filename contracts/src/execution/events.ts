import type { WorkflowDefinitionBody } from '../workflow/definition.js';
import type { StepType } from '../workflow/schema-steps.js';
import type { ParallelStrategy } from './strategy.js';
import type { LoadedResource } from './effects.js';
import type {
  EffectKind,
  ExecutionError,
  ExecutionTrigger,
  JsonRecord,
  StepDecision,
  StepPath,
  ExecutionDecision,
} from './types.js';

/**
 * Events of the execution aggregate (stream `execution:<tenant>:<execution_id>`). The state
 * is their fold, so each carries what was decided (rendered requests, condition results),
 * never something to recompute. Step events name the step run (`run`: its index in the step
 * timeline) so concurrent parallel branches stay apart.
 */
type Event<T extends string, D> = { readonly type: T; readonly data: D };

interface StepRef {
  readonly run: number;
  readonly step_id: string;
  readonly path: StepPath;
}

export type ExecutionStarted = Event<'ExecutionStarted', {
  readonly execution_id: string;
  readonly workflow_id: string;
  /** The definition revision the execution is pinned to. */
  readonly workflow_revision: number;
  readonly workflow_version: string;
  /** Snapshot of the pinned definition, so a replay needs nothing else. */
  readonly definition: WorkflowDefinitionBody;
  readonly trigger: ExecutionTrigger;
  /** Initial context: the trigger payload at top level, plus `event` for event triggers. */
  readonly context: JsonRecord;
  readonly started_at: string;
  /** From the definition's `timeout`; null means unbounded. */
  readonly timeout_at: string | null;
}>;

export type ContextLoaded = Event<'ContextLoaded', {
  readonly resources: readonly LoadedResource[];
  readonly values: JsonRecord;
  readonly at: string;
}>;

/** A step run begins, or (attempt > 1, same run) a retry of it. `thread` is the cursor that runs it. */
export type StepStarted = Event<'StepStarted', StepRef & {
  readonly thread: string;
  readonly step_type: StepType;
  readonly attempt: number;
  readonly at: string;
}>;

export type ConditionEvaluated = Event<'ConditionEvaluated', StepRef & {
  /** Null when the condition could not be evaluated (the step then fails). */
  readonly result: boolean | null;
  readonly rule_id: string | null;
  readonly trace: unknown;
  readonly at: string;
}>;

export type DecisionMade = Event<'DecisionMade', StepRef & {
  readonly decision: StepDecision;
  readonly reason: string | null;
  readonly at: string;
}>;

export type EffectRequested = Event<'EffectRequested', {
  readonly effect_id: string;
  /** Null for `load_context`, which belongs to no step. */
  readonly run: number | null;
  readonly step_id: string | null;
  readonly path: StepPath;
  readonly item_index: number;
  readonly kind: EffectKind;
  /** Rendered; secret references stay markers. Shape per kind: see effects.ts. */
  readonly request: unknown;
  /** Same for every attempt of the same item of the same step run. */
  readonly idempotency_key: string;
  /** The step timeout's deadline for this attempt; the runtime aborts the call at it. */
  readonly deadline: string | null;
  /** Template paths that resolved to nothing (rendered as null / empty text). */
  readonly unresolved: readonly string[];
  readonly at: string;
}>;

export type EffectCompleted = Event<'EffectCompleted', { readonly effect_id: string; readonly result: unknown; readonly at: string }>;
export type EffectFailed = Event<'EffectFailed', { readonly effect_id: string; readonly error: ExecutionError; readonly at: string }>;

export type ParallelStarted = Event<'ParallelStarted', StepRef & {
  readonly strategy: ParallelStrategy;
  /** Ids of the branch root steps; each becomes thread `<run>/<root id>`. */
  readonly branches: readonly string[];
  readonly at: string;
}>;

export type ForeachStarted = Event<'ForeachStarted', StepRef & {
  readonly item_var: string;
  readonly items: readonly unknown[];
  readonly at: string;
}>;

/** Iteration `index` of a foreach runs as thread `<run>/<index>`. */
export type IterationStarted = Event<'IterationStarted', StepRef & { readonly index: number; readonly at: string }>;

export type StepCompleted = Event<'StepCompleted', StepRef & {
  readonly output: unknown;
  /** The step the thread continues with; null ends the thread. */
  readonly next: string | null;
  readonly at: string;
}>;

export type StepFailed = Event<'StepFailed', StepRef & {
  readonly attempt: number;
  readonly error: ExecutionError;
  /** When the next attempt starts; null when the step will not be retried. */
  readonly retry_at: string | null;
  /** The `on_error` target when not retried; null with no retry fails the thread. */
  readonly next: string | null;
  readonly at: string;
}>;

export type WaitStarted = Event<'WaitStarted', StepRef & {
  /** The awaited event type, or a prefix pattern ending in `*`. */
  readonly event_type: string;
  readonly match_field: string;
  readonly match_value: unknown;
  readonly timeout_at: string | null;
  readonly at: string;
}>;

export type WaitEventDelivered = Event<'WaitEventDelivered', StepRef & {
  readonly event_id: string;
  readonly event_type: string;
  /** Merged into the context. */
  readonly payload: JsonRecord;
  readonly at: string;
}>;

export type WaitTimedOut = Event<'WaitTimedOut', StepRef & { readonly at: string }>;

export type ApprovalRequested = Event<'ApprovalRequested', StepRef & {
  readonly approval_id: string;
  readonly approver_role: string;
  readonly entity: string;
  readonly entity_id: string;
  readonly reason: string;
  readonly data: JsonRecord;
  readonly expires_at: string;
  /** True for an approval step (waits for the decision); false for create_approval_request. */
  readonly blocking: boolean;
  readonly at: string;
}>;

export type ApprovalResolved = Event<'ApprovalResolved', StepRef & {
  readonly approval_id: string;
  readonly status: 'approved' | 'rejected' | 'expired';
  readonly decided_by: string | null;
  readonly comment: string | null;
  readonly at: string;
}>;

export type ExecutionCompleted = Event<'ExecutionCompleted', {
  readonly decision: ExecutionDecision;
  readonly at: string;
  readonly duration_ms: number;
}>;

export type ExecutionFailed = Event<'ExecutionFailed', {
  readonly step_id: string | null;
  readonly path: StepPath;
  readonly error: ExecutionError;
  readonly at: string;
  readonly duration_ms: number;
}>;

export type ExecutionCancelled = Event<'ExecutionCancelled', {
  readonly by: string;
  readonly reason: string | null;
  readonly at: string;
  readonly duration_ms: number;
}>;

export type ExecutionTimedOut = Event<'ExecutionTimedOut', {
  /** The step that was waiting when the time ran out, if any. */
  readonly step_id: string | null;
  readonly reason: 'execution_timeout' | 'wait_timeout';
  readonly at: string;
  readonly duration_ms: number;
}>;

/** A failed execution resumes: the failed step run starts its next attempt. */
export type ExecutionRetried = Event<'ExecutionRetried', {
  readonly from_step_id: string;
  readonly run: number;
  readonly by: string;
  readonly at: string;
  /**
   * Since v2: the execution's new deadline, the definition's `timeout` counted from `at`.
   * Absent when the definition has no timeout, and in v1 events: the deadline stays as it was.
   */
  readonly timeout_at?: string;
}>;

export type ExecutionEvent =
  | ExecutionStarted
  | ContextLoaded
  | StepStarted
  | ConditionEvaluated
  | DecisionMade
  | EffectRequested
  | EffectCompleted
  | EffectFailed
  | ParallelStarted
  | ForeachStarted
  | IterationStarted
  | StepCompleted
  | StepFailed
  | WaitStarted
  | WaitEventDelivered
  | WaitTimedOut
  | ApprovalRequested
  | ApprovalResolved
  | ExecutionCompleted
  | ExecutionFailed
  | ExecutionCancelled
  | ExecutionTimedOut
  | ExecutionRetried;
export type ExecutionEventType = ExecutionEvent['type'];

export const EXECUTION_EVENT_TYPES = [
  'ExecutionStarted',
  'ContextLoaded',
  'StepStarted',
  'ConditionEvaluated',
  'DecisionMade',
  'EffectRequested',
  'EffectCompleted',
  'EffectFailed',
  'ParallelStarted',
  'ForeachStarted',
  'IterationStarted',
  'StepCompleted',
  'StepFailed',
  'WaitStarted',
  'WaitEventDelivered',
  'WaitTimedOut',
  'ApprovalRequested',
  'ApprovalResolved',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionCancelled',
  'ExecutionTimedOut',
  'ExecutionRetried',
] as const satisfies readonly ExecutionEventType[];
