import type { IngestedEventView, JsonRecord, Page } from '@iwf/contracts';
import type { ListOptions, Queryable } from '../keyset.js';
import { Filters, keysetPage } from '../keyset.js';

/** Reads of the ingested-events read model (schema `iwf_read`, written only by the projector). */
export const INGESTED_EVENT_COLUMNS = 'event_id, event_type, source, payload, received_at, executions, revision';

export interface IngestedEventRow {
  readonly event_id: string;
  readonly event_type: string;
  readonly source: string;
  readonly payload: JsonRecord;
  readonly received_at: Date;
  readonly executions: IngestedEventView['executions'];
  readonly revision: number;
}

export const toIngestedEventView = (row: IngestedEventRow): IngestedEventView => ({
  event_id: row.event_id,
  event_type: row.event_type,
  source: row.source,
  payload: row.payload,
  received_at: row.received_at.toISOString(),
  executions: row.executions,
  revision: row.revision,
});

/** Whose events a reader sees: all of the tenant's, or (an agent) only those it ingested itself. */
export type EventVisibility = { readonly all: true } | { readonly all: false; readonly ingested_by: string };

export async function getIngestedEvent(
  db: Queryable,
  tenant: string,
  event_id: string,
  visibility: EventVisibility,
): Promise<IngestedEventView | undefined> {
  const filters = new Filters(tenant).add((p) => `event_id = ${p}`, event_id);
  if (!visibility.all) filters.add((p) => `ingested_by = ${p}`, visibility.ingested_by);
  const result = await db.query<IngestedEventRow>(`SELECT ${INGESTED_EVENT_COLUMNS} FROM iwf_read.ingested_events WHERE ${filters.where}`, filters.params);
  const row = result.rows[0];
  return row ? toIngestedEventView(row) : undefined;
}

export interface IngestedEventFilter extends ListOptions {
  readonly event_type?: string | undefined;
  /** Received at or after. */
  readonly from?: Date | undefined;
  /** Received before. */
  readonly to?: Date | undefined;
}

export async function listIngestedEvents(
  db: Queryable,
  tenant: string,
  filter: IngestedEventFilter,
  visibility: EventVisibility,
): Promise<Page<IngestedEventView>> {
  const filters = new Filters(tenant);
  if (!visibility.all) filters.add((p) => `ingested_by = ${p}`, visibility.ingested_by);
  if (filter.event_type !== undefined) filters.add((p) => `event_type = ${p}`, filter.event_type);
  if (filter.from !== undefined) filters.add((p) => `received_at >= ${p}`, filter.from);
  if (filter.to !== undefined) filters.add((p) => `received_at < ${p}`, filter.to);
  return keysetPage<IngestedEventRow, IngestedEventView>(
    db,
    {
      table: 'iwf_read.ingested_events',
      columns: INGESTED_EVENT_COLUMNS,
      time: 'received_at',
      id: 'event_id',
      toView: toIngestedEventView,
      keyOf: (view) => [view.received_at, view.event_id],
    },
    filters,
    filter,
  );
}
