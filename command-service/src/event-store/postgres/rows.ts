import type { EventMetadata, LogPosition, RecordedEvent } from '@iwf/contracts';

/**
 * Columns every event read selects. 64-bit values and JSON come back as text and are parsed
 * here, because other modules in the process install global `pg` type parsers for int8 and
 * jsonb and this adapter must not depend on which ones won.
 */
export const EVENT_COLUMNS = `event_id::text AS event_id, stream_id, stream_revision::text AS stream_revision,
  tx_id::text AS tx_id, position::text AS position, type, schema_version,
  data::text AS data, metadata::text AS metadata, recorded_at`;

/**
 * The log's visibility horizon, to compare `tx_id` with. Rows of a transaction still running
 * would sort before rows already committed; reading only below the oldest running transaction
 * id keeps the order final. Ids in the log are the cluster's plus the offset set after a
 * restore (schema/tx-offset.ts), and so is the horizon: without the offset every event written
 * after a restore would sit beyond it.
 */
export const LOG_HORIZON = '(pg_snapshot_xmin(pg_current_snapshot())::text::bigint + iwf_events.tx_offset())::text::xid8';

export interface EventRow {
  readonly event_id: string;
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly tx_id: string;
  readonly position: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly recorded_at: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    event_id: row.event_id,
    stream_id: row.stream_id,
    stream_revision: Number(row.stream_revision),
    position: toPosition(row.tx_id, row.position),
    type: row.type,
    schema_version: row.schema_version,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recorded_at: row.recorded_at,
  };
}

export function toPosition(tx_id: string, position: string): LogPosition {
  return { commit: BigInt(tx_id), prepare: BigInt(position) };
}
