import type { EventMetadata } from '../event-store/types.js';

/** One recorded event as auditors read it (`/audit/streams/{id}`, `/audit/events`, `iwf history --json`). */
export interface AuditEventView {
  /** The event's log position (opaque, as `X-Log-Position`). */
  readonly position: string;
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  /** As the current code reads it (upcast from older schema versions). */
  readonly data: unknown;
  /** Who (actor), for whom (tenant), why (correlation and causation ids), with the trace. */
  readonly metadata: EventMetadata;
  readonly recorded_at: string;
}

/** A stream's history up to a point, and the state its aggregate had folded there. */
export interface AuditStreamView {
  readonly stream_id: string;
  readonly category: string;
  /** The revision of the last event shown; null when none is shown. */
  readonly revision: number | null;
  /** The stream's last revision now, whatever the cut-off. */
  readonly head_revision: number;
  readonly at_revision: number | null;
  readonly at_time: string | null;
  readonly events: readonly AuditEventView[];
  /** The aggregate's state after the events shown; null for streams without an aggregate fold. */
  readonly state: unknown;
}
