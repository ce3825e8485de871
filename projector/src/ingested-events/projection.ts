import type pg from 'pg';
import type { EventIngested, IngestedEventView, RecordedEvent } from '@iwf/contracts';
import { INGEST_EVENT_TYPES } from '@iwf/contracts';
import type { IngestedEventRow } from '@iwf/query-service/ingested-events/read-model';
import { INGESTED_EVENT_COLUMNS, toIngestedEventView } from '@iwf/query-service/ingested-events/read-model';
import type { Fields, ViewRecord } from '../executions/sql.js';
import { checkNamedId, inCategory, keyOf, loadRows, positionOf, streamKeyOf, upsertStatement, writeRows } from '../executions/sql.js';
import { isoTime } from '../executions/time.js';
import type { Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';

export const INGESTED_EVENTS_PROJECTION = 'ingested_events';

interface IngestedRecord extends ViewRecord<IngestedEventView> {
  /** The actor who sent the event: an agent reads only its own. */
  readonly ingested_by: string;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(INGEST_EVENT_TYPES);

/** The ingested-events read model: one row per `ingest:<tenant>:<event_id>` stream. */
export const ingestedEventsProjection: Projection = {
  name: INGESTED_EVENTS_PROJECTION,
  version: 1,
  cacheKinds: [],
  tables: ['ingested_events'],
  async apply(tx, events) {
    const relevant = inCategory(events, 'ingest');
    if (relevant.length === 0) return [];
    const rows = await loadRows<IngestedEventRow & { ingested_by: string }>(tx, 'iwf_read.ingested_events', 'event_id', `${INGESTED_EVENT_COLUMNS}, ingested_by`, relevant);
    const records = new Map(
      rows.map((row): [string, IngestedRecord] => [
        keyOf({ tenant: row.tenant, id: row.event_id }),
        { tenant: row.tenant, view: toIngestedEventView(row), ingested_by: row.ingested_by, position: positionOf(row) },
      ]),
    );
    const changed = new Map<string, IngestedRecord>();
    for (const event of relevant) {
      try {
        const stream = streamKeyOf(event);
        checkNamedId(event, 'event_id', stream.id);
        const key = keyOf(stream);
        const next = evolveIngested(records.get(key), stream.tenant, event);
        if (!next) continue;
        records.set(key, next);
        changed.set(key, next);
      } catch (error) {
        throw new EventHandlingError(INGESTED_EVENTS_PROJECTION, event, error);
      }
    }
    await write(tx, [...changed.values()]);
    return [];
  },
};

/**
 * The first EventIngested makes the row; a later one on the same stream can only add the
 * executions it names (an ingestion is never rewritten).
 */
function evolveIngested(record: IngestedRecord | undefined, tenant: string, event: RecordedEvent): IngestedRecord | undefined {
  if (record && event.stream_revision <= record.view.revision) return undefined;
  if (!KNOWN_TYPES.has(event.type)) throw new Error(`unknown ingest event type ${event.type}`);
  const { data } = event as RecordedEvent<'EventIngested', EventIngested['data']>;
  const executions = data.executions.map(({ execution_id, workflow_id, workflow_revision }) => ({ execution_id, workflow_id, workflow_revision }));
  if (record) {
    const known = new Set(record.view.executions.map((execution) => execution.execution_id));
    const added = executions.filter((execution) => !known.has(execution.execution_id));
    return { ...record, view: { ...record.view, executions: [...record.view.executions, ...added], revision: event.stream_revision }, position: event.position };
  }
  const view: IngestedEventView = {
    event_id: data.event_id,
    event_type: data.event_type,
    source: data.source,
    payload: data.payload,
    received_at: isoTime(data.received_at),
    executions,
    revision: event.stream_revision,
  };
  return { tenant, view, ingested_by: event.metadata.actor, position: event.position };
}

const FIELDS: Fields = [
  ['tenant', 'text'], ['event_id', 'text'], ['event_type', 'text'], ['source', 'text'], ['payload', 'jsonb'],
  ['received_at', 'timestamptz'], ['executions', 'jsonb'], ['ingested_by', 'text'], ['revision', 'integer'],
  ['last_commit', 'bigint'], ['last_prepare', 'bigint'],
];
const UPSERT = upsertStatement('iwf_read.ingested_events', FIELDS, ['tenant', 'event_id'], ['received_at', 'ingested_by']);

const write = (tx: pg.PoolClient, records: readonly IngestedRecord[]): Promise<void> =>
  writeRows(tx, UPSERT, records, (record) => ({ ingested_by: record.ingested_by }));
