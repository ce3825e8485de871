import type { WorkflowDefinitionBody } from '../workflow/definition.js';
import type { Condition } from '../workflow/schema-conditions.js';
import type { EffectOutcome } from './effects.js';
import type { ExecutionTrigger, JsonRecord, TimerKind, TriggerEventInfo } from './types.js';

/**
 * Commands of the execution aggregate. Time (`now`) and ids come in on the command so the
 * decider stays pure. Every command except Cancel also advances the execution: after its own
 * events it runs synchronous steps until something asynchronous is needed. `rules` supplies
 * the conditions of stored rules referenced by `rule_id` (the decider does no I/O); the
 * runtime passes the ones `referencedRuleIds(definition)` names.
 */
type Command<T extends string, D> = { readonly type: T; readonly data: D };

export type RuleConditions = Readonly<Record<string, Condition>>;

interface Advancing {
  readonly now: string;
  readonly rules?: RuleConditions | undefined;
}

export type StartExecution = Command<'StartExecution', Advancing & {
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly workflow_revision: number;
  readonly workflow_version: string;
  readonly definition: WorkflowDefinitionBody;
  readonly trigger: ExecutionTrigger;
  /** The trigger event's payload (manual: the request's `payload`; schedule: `{}`). */
  readonly payload: JsonRecord;
  /** The trigger event, for event triggers; lands in the context under `event`. */
  readonly event?: TriggerEventInfo | undefined;
}>;

/** Run synchronous steps until something asynchronous is needed. Safe to repeat. */
export type Advance = Command<'Advance', Advancing>;

export type RecordEffectResult = Command<'RecordEffectResult', Advancing & {
  readonly effect_id: string;
  readonly outcome: EffectOutcome;
}>;

/** An ingested event offered to a waiting execution; ignored unless a wait matches it. */
export type DeliverEvent = Command<'DeliverEvent', Advancing & {
  readonly event_id: string;
  readonly event_type: string;
  readonly payload: JsonRecord;
}>;

/** A timer `pendingWork` asked for is due; ignored when the execution has moved on. */
export type FireTimer = Command<'FireTimer', Advancing & {
  readonly kind: TimerKind;
  readonly timer_id: string;
}>;

/** The decision of an approval this execution requested (from the approval stream). */
export type ResolveApproval = Command<'ResolveApproval', Advancing & {
  readonly approval_id: string;
  readonly status: 'approved' | 'rejected' | 'expired';
  readonly decided_by: string | null;
  readonly comment: string | null;
}>;

export type CancelExecution = Command<'CancelExecution', {
  readonly by: string;
  readonly reason: string | null;
  readonly now: string;
}>;

/** Resume a failed execution from its failed step. */
export type RetryExecution = Command<'RetryExecution', Advancing & { readonly by: string }>;

export type ExecutionCommand =
  | StartExecution
  | Advance
  | RecordEffectResult
  | DeliverEvent
  | FireTimer
  | ResolveApproval
  | CancelExecution
  | RetryExecution;
export type ExecutionCommandType = ExecutionCommand['type'];
