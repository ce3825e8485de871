import type { JsonRecord } from './types.js';

/** Stream `ingest:<tenant>:<event_id>`: one business event and the executions it started. */
export type EventIngested = {
  readonly type: 'EventIngested';
  readonly data: {
    readonly event_id: string;
    readonly event_type: string;
    readonly source: string;
    readonly payload: JsonRecord;
    readonly received_at: string;
    readonly executions: readonly { readonly execution_id: string; readonly workflow_id: string; readonly workflow_revision: number }[];
  };
};

export type IngestEvent = EventIngested;
export const INGEST_EVENT_TYPES = ['EventIngested'] as const satisfies readonly IngestEvent['type'][];
