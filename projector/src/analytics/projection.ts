import type pg from 'pg';
import type { RecordedEvent } from '@iwf/contracts';
import { parseStreamId } from '@iwf/contracts';
import type { Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';
import type { AnalyticsRecord } from './fold.js';
import { ANALYTICS_EVENT_TYPES, evolveAnalytics } from './fold.js';

export const ANALYTICS_PROJECTION = 'analytics';

/**
 * The analytics read model (no cache: summaries are aggregated per request). A batch costs
 * two statements: load the rows its lifecycle events touch, upsert the changed ones.
 */
export const analyticsProjection: Projection = {
  name: ANALYTICS_PROJECTION,
  version: 1,
  cacheKinds: [],
  tables: ['analytics_executions'],
  async apply(tx, events) {
    const relevant = events.filter((event) => ANALYTICS_EVENT_TYPES.has(event.type) && event.stream_id.startsWith('execution:'));
    if (relevant.length === 0) return [];
    const records = await loadRecords(tx, relevant);
    const changed = new Map<string, AnalyticsRecord>();
    for (const event of relevant) {
      try {
        const stream = parseStreamId(event.stream_id);
        if (!stream) throw new Error(`malformed stream id ${event.stream_id}`);
        const next = evolveAnalytics(records.get(event.stream_id), stream.tenant, stream.id, event);
        if (!next) continue;
        records.set(event.stream_id, next);
        changed.set(event.stream_id, next);
      } catch (error) {
        throw new EventHandlingError(ANALYTICS_PROJECTION, event, error);
      }
    }
    await upsert(tx, [...changed.values()]);
    return [];
  },
};

interface Row extends Omit<AnalyticsRecord, 'started_at' | 'completed_at' | 'duration_ms'> {
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: string | null;
}

/** Rows keyed by stream id. Executions started in this batch have none yet; that is fine. */
async function loadRecords(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<Map<string, AnalyticsRecord>> {
  const keys = [...new Set(events.filter((event) => event.type !== 'ExecutionStarted').map((event) => event.stream_id))].flatMap((id) => {
    const parsed = parseStreamId(id);
    return parsed ? [parsed] : [];
  });
  const records = new Map<string, AnalyticsRecord>();
  if (keys.length === 0) return records;
  const result = await tx.query<Row>(
    `SELECT tenant, execution_id, workflow_id, status, decision, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
       to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS completed_at, duration_ms::text AS duration_ms, revision
     FROM iwf_read.analytics_executions JOIN unnest($1::text[], $2::text[]) AS k(tenant, execution_id) USING (tenant, execution_id)`,
    [keys.map((key) => key.tenant), keys.map((key) => key.id)],
  );
  for (const row of result.rows) {
    records.set(`execution:${row.tenant}:${row.execution_id}`, { ...row, duration_ms: row.duration_ms === null ? null : Number(row.duration_ms) });
  }
  return records;
}

// The WHERE repeats the revision guard in SQL: an older version of a row never replaces a newer one.
const UPSERT = `
INSERT INTO iwf_read.analytics_executions (tenant, execution_id, workflow_id, status, decision, started_at, completed_at, duration_ms, revision)
SELECT tenant, execution_id, workflow_id, status, decision, started_at, completed_at, duration_ms, revision
FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, execution_id text, workflow_id text, status text, decision text,
  started_at timestamptz, completed_at timestamptz, duration_ms bigint, revision integer)
ON CONFLICT (tenant, execution_id) DO UPDATE SET status = EXCLUDED.status, decision = EXCLUDED.decision,
  completed_at = EXCLUDED.completed_at, duration_ms = EXCLUDED.duration_ms, revision = EXCLUDED.revision
WHERE iwf_read.analytics_executions.revision < EXCLUDED.revision`;

async function upsert(tx: pg.PoolClient, records: readonly AnalyticsRecord[]): Promise<void> {
  if (records.length > 0) await tx.query(UPSERT, [JSON.stringify(records)]);
}
