import type { JsonRecord } from '../execution/types.js';

/** A business event the service received, with the executions it started. */
export interface IngestedEventView {
  readonly event_id: string;
  readonly event_type: string;
  readonly source: string;
  readonly payload: JsonRecord;
  readonly received_at: string;
  readonly executions: readonly { readonly execution_id: string; readonly workflow_id: string; readonly workflow_revision: number }[];
  readonly revision: number;
}
