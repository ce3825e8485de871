import type { AnalyticsStatus, ExecutionDecision, RecordedEvent } from '@iwf/contracts';

/** One execution as analytics sees it: started when, ended how, after how long. */
export interface AnalyticsRecord {
  readonly tenant: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly status: AnalyticsStatus;
  readonly decision: ExecutionDecision | null;
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
  /** Stream revision of the last event folded in; older or equal ones are skipped. */
  readonly revision: number;
}

const ENDINGS = {
  ExecutionCompleted: 'completed',
  ExecutionFailed: 'failed',
  ExecutionCancelled: 'cancelled',
  ExecutionTimedOut: 'timed_out',
} as const satisfies Record<string, AnalyticsStatus>;

/** The event types analytics folds; every other execution event leaves the record as it is. */
export const ANALYTICS_EVENT_TYPES: ReadonlySet<string> = new Set(['ExecutionStarted', 'ExecutionRetried', ...Object.keys(ENDINGS)]);

interface Data {
  readonly execution_id?: unknown;
  readonly workflow_id?: unknown;
  readonly started_at?: unknown;
  readonly decision?: unknown;
  readonly at?: unknown;
  readonly duration_ms?: unknown;
}

/**
 * Folds one lifecycle event. Undefined when nothing changes: the record has seen this
 * revision already (redelivery), or the event is not a lifecycle event.
 */
export function evolveAnalytics(record: AnalyticsRecord | undefined, tenant: string, executionId: string, event: RecordedEvent): AnalyticsRecord | undefined {
  if (!ANALYTICS_EVENT_TYPES.has(event.type) || (record && event.stream_revision <= record.revision)) return undefined;
  const data = (event.data ?? {}) as Data;
  const revision = event.stream_revision;
  if (event.type === 'ExecutionStarted') {
    if (record) throw new Error(`execution ${executionId} started twice`);
    return {
      tenant,
      execution_id: executionId,
      workflow_id: text(data.workflow_id, 'workflow_id'),
      status: 'running',
      decision: null,
      started_at: time(data.started_at, 'started_at'),
      completed_at: null,
      duration_ms: null,
      revision,
    };
  }
  if (!record) throw new Error(`${event.type} for execution ${executionId} before it started`);
  if (event.type === 'ExecutionRetried') return { ...record, status: 'running', decision: null, completed_at: null, duration_ms: null, revision };
  const status = ENDINGS[event.type as keyof typeof ENDINGS];
  const decision = status === 'completed' ? (text(data.decision, 'decision') as ExecutionDecision) : null;
  return { ...record, status, decision, completed_at: time(data.at, 'at'), duration_ms: count(data.duration_ms, 'duration_ms'), revision };
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${field} is missing`);
  return value;
}

/** Normalised to millisecond ISO text, as stored and read back. */
function time(value: unknown, field: string): string {
  const date = new Date(text(value, field));
  if (Number.isNaN(date.getTime())) throw new Error(`${field} is not a timestamp: ${JSON.stringify(value)}`);
  return date.toISOString();
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${field} is not a duration: ${JSON.stringify(value)}`);
  return Math.round(value);
}
