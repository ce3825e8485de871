import type pg from 'pg';
import type { RecordedEvent } from '@iwf/contracts';
import type { Projection } from '../../runner/projection.js';

/**
 * A test read model that accounts for delivery instead of hiding it: per stream, every event
 * handed to it (`deliveries`), the ones that advanced it by exactly one revision (`applied`),
 * the ones at or below what it had seen (`duplicates`), and any that skipped ahead (`gaps`,
 * a lost or reordered event). Real projections absorb duplicates silently; this one counts them.
 */
export const PROBE_DDL = `
CREATE TABLE IF NOT EXISTS iwf_read.delivery_probe (
  stream_id text PRIMARY KEY,
  last_revision integer NOT NULL,
  deliveries integer NOT NULL,
  applied integer NOT NULL,
  duplicates integer NOT NULL,
  gaps integer NOT NULL
)`;

interface ProbeRow {
  stream_id: string;
  last_revision: number;
  deliveries: number;
  applied: number;
  duplicates: number;
  gaps: number;
}

export const probeProjection: Projection = {
  name: 'delivery_probe',
  version: 1,
  cacheKinds: [],
  async apply(tx, events) {
    const streams = [...new Set(events.map((event) => event.stream_id))];
    const found = await tx.query<ProbeRow>('SELECT * FROM iwf_read.delivery_probe WHERE stream_id = ANY($1::text[]) FOR UPDATE', [streams]);
    const rows = new Map(found.rows.map((row) => [row.stream_id, row]));
    for (const event of events) fold(rows, event);
    await tx.query(
      `INSERT INTO iwf_read.delivery_probe SELECT * FROM jsonb_populate_recordset(null::iwf_read.delivery_probe, $1::jsonb)
       ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision, deliveries = excluded.deliveries,
         applied = excluded.applied, duplicates = excluded.duplicates, gaps = excluded.gaps`,
      [JSON.stringify([...rows.values()])],
    );
    return [];
  },
};

function fold(rows: Map<string, ProbeRow>, event: RecordedEvent): void {
  const row = rows.get(event.stream_id) ?? { stream_id: event.stream_id, last_revision: -1, deliveries: 0, applied: 0, duplicates: 0, gaps: 0 };
  row.deliveries += 1;
  if (event.stream_revision <= row.last_revision) row.duplicates += 1;
  else {
    if (event.stream_revision !== row.last_revision + 1) row.gaps += 1;
    row.applied += 1;
    row.last_revision = event.stream_revision;
  }
  rows.set(event.stream_id, row);
}

export interface ProbeSummary {
  readonly streams: number;
  readonly deliveries: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly gaps: number;
  /** Streams whose last revision is not the one expected. */
  readonly incomplete: number;
}

/** Totals over all streams; `expected` maps a stream to its last revision in the store. */
export async function probeSummary(db: Pick<pg.ClientBase, 'query'>, expected: ReadonlyMap<string, number>): Promise<ProbeSummary> {
  const result = await db.query<ProbeRow>('SELECT * FROM iwf_read.delivery_probe');
  let incomplete = expected.size - result.rows.length;
  const sum = { deliveries: 0, applied: 0, duplicates: 0, gaps: 0 };
  for (const row of result.rows) {
    if (expected.get(row.stream_id) !== row.last_revision || row.applied !== row.last_revision + 1) incomplete += 1;
    sum.deliveries += row.deliveries;
    sum.applied += row.applied;
    sum.duplicates += row.duplicates;
    sum.gaps += row.gaps;
  }
  return { streams: result.rows.length, ...sum, incomplete };
}
