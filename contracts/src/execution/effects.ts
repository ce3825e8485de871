import type { ExecutionError, JsonRecord } from './types.js';

/**
 * Rendered requests (what EffectRequested carries) and the results the runtime reports back
 * (RecordEffectResult), per effect kind. Requests hold `{{secrets.NAME}}` references as
 * markers; the runtime resolves them only when sending, so no secret is ever in an event.
 */
export interface HttpEffectRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface NotifyEffectRequest {
  readonly recipients: readonly string[];
  readonly message: string;
}

/** `create_record` publishes `record.create_requested`, `update_record` `record.update_requested`. */
export interface RecordEffectRequest {
  readonly event_type: 'record.create_requested' | 'record.update_requested';
  readonly entity: string;
  readonly entity_id: string | null;
  readonly data: JsonRecord;
}

export interface EmitEffectRequest {
  readonly event_type: string;
  readonly payload: JsonRecord;
}

/** The approval to create (idempotently, by `approval_id`) in stream `approval:<tenant>:<approval_id>`. */
export interface ApprovalEffectRequest {
  readonly approval_id: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly step_id: string;
  readonly approver_role: string;
  readonly entity: string;
  readonly entity_id: string;
  readonly reason: string;
  readonly data: JsonRecord;
  readonly expires_at: string;
  /** True for an approval step (the execution waits for the decision). */
  readonly blocking: boolean;
}

export interface LogEffectRequest {
  readonly message: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
}

export interface LoadContextEffectRequest {
  readonly resources: readonly string[];
}

export interface HttpEffectResult {
  readonly status: number;
  readonly body?: unknown;
}

export interface NotifyEffectResult {
  readonly deliveries: readonly { readonly recipient: string; readonly status: 'sent' | 'skipped' | 'failed'; readonly error?: string }[];
}

export interface LoadedResource {
  readonly name: string;
  readonly status: 'loaded' | 'skipped' | 'failed';
  readonly error?: string | undefined;
}

export interface LoadContextEffectResult {
  readonly resources: readonly LoadedResource[];
  /** Loaded values by resource name (`customer.profile` → its object). */
  readonly values: JsonRecord;
}

/** What the runtime reports for one effect; 4xx/5xx answers are failures it classifies. */
export type EffectOutcome =
  | { readonly status: 'completed'; readonly result: unknown }
  | { readonly status: 'failed'; readonly error: ExecutionError };
