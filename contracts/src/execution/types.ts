/**
 * Vocabulary shared by execution events, commands and read models (stream
 * `execution:<tenant>:<execution_id>`). Plain JSON shapes; no I/O.
 */

export const EXECUTION_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled', 'timed_out'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled', 'timed_out'];

/** `executed`: the execution completed without an allow, block or require_approval action. */
export const EXECUTION_DECISIONS = ['allowed', 'blocked', 'pending_approval', 'executed'] as const;
export type ExecutionDecision = (typeof EXECUTION_DECISIONS)[number];
/** What an action step may set; `executed` is only the default at completion. */
export type StepDecision = Exclude<ExecutionDecision, 'executed'>;

/**
 * Where a step ran: enclosing parallel/foreach step ids, foreach iteration indexes, then the
 * step id. `['parallel_fraud_checks', 'check_velocity']`, `['each_line', 2, 'reserve']`.
 */
export type StepPath = readonly (string | number)[];

export const ERROR_KINDS = ['timeout', 'network', 'http_4xx', 'http_5xx', 'invalid', 'evaluation', 'loop', 'other'] as const;
/**
 * `evaluation`: a condition, template or correlation could not be evaluated against the
 * context (a missing field, a non-array foreach). `invalid`: the request itself was refused
 * before it was sent (a bad URL, an unknown secret). `loop`: the flow came back to a step
 * without waiting for anything, so it would never end (the whole execution fails).
 */
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ExecutionError {
  readonly kind: ErrorKind;
  readonly message: string;
  /** HTTP status, for http_4xx / http_5xx. */
  readonly status?: number | undefined;
}

export type TriggerKind = 'event' | 'schedule' | 'manual';

export interface ExecutionTrigger {
  readonly kind: TriggerKind;
  readonly event_id?: string | undefined;
  readonly event_type?: string | undefined;
  readonly source?: string | undefined;
  /** Schedule triggers: the cron tick this run is for. */
  readonly scheduled_for?: string | undefined;
  /** Manual starts: who started it. */
  readonly started_by?: string | undefined;
}

/** The trigger event as the context sees it under `event`. */
export interface TriggerEventInfo {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly received_at: string;
}

/**
 * Outbound work the runtime performs. Every execute item type, plus `load_context` (the
 * enrichment fetch before the first step). `log` completes inline, never reaches the runtime.
 */
export const EFFECT_KINDS = [
  'http_request',
  'webhook',
  'notify',
  'create_record',
  'update_record',
  'emit',
  'create_approval_request',
  'log',
  'load_context',
] as const;
export type EffectKind = (typeof EFFECT_KINDS)[number];

export const TIMER_KINDS = ['step_retry', 'step_timeout', 'wait_timeout', 'execution_timeout'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export type JsonRecord = Readonly<Record<string, unknown>>;
