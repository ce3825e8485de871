import type pg from 'pg';
import type { AnalyticsInterval, AnalyticsTimeRange, DurationStats, ExecutionStats, TrendBucket, WorkflowStats } from '@iwf/contracts';
import type { CountRow } from './stats.js';
import { NO_DURATIONS, statsOf } from './stats.js';

export type Queryable = Pick<pg.ClientBase, 'query'>;

export const RANGE_MS: Readonly<Record<AnalyticsTimeRange, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000 };
const BUCKET_MS: Readonly<Record<AnalyticsInterval, number>> = { hour: 3_600_000, day: 86_400_000 };

export interface Window {
  readonly tenant: string;
  readonly from: Date;
  readonly to: Date;
  readonly workflow_id?: string | undefined;
}

// Executions started in [from, to); `grp` is what the caller groups by (a workflow, a bucket).
const WHERE = `tenant = $1 AND started_at >= $2 AND started_at < $3 AND ($4::text IS NULL OR workflow_id = $4)`;

interface GroupedCount extends CountRow {
  readonly grp: string | null;
}

interface GroupedDurations {
  readonly grp: string | null;
  readonly p: (number | null)[] | null;
  readonly avg: number | null;
  readonly max: string | null;
}

async function grouped(db: Queryable, window: Window, group: string): Promise<{ counts: GroupedCount[]; durations: Map<string | null, DurationStats> }> {
  const params = [window.tenant, window.from, window.to, window.workflow_id ?? null];
  const counts = await db.query<GroupedCount>(
    `SELECT ${group} AS grp, status, decision, count(*)::int AS n FROM iwf_read.analytics_executions WHERE ${WHERE} GROUP BY 1, 2, 3`,
    params,
  );
  // Percentiles are exact (observed durations), over finished executions; the empty grouping set is the overall figure.
  const durations = await db.query<GroupedDurations>(
    `SELECT ${group} AS grp, percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms)::float8[] AS p,
       avg(duration_ms)::float8 AS avg, max(duration_ms)::text AS max
     FROM iwf_read.analytics_executions WHERE ${WHERE} AND duration_ms IS NOT NULL GROUP BY GROUPING SETS ((1), ())`,
    params,
  );
  const byGroup = new Map<string | null, DurationStats>();
  // Groups (workflow ids, buckets) are never null, so the null group is the overall row.
  for (const row of durations.rows) {
    const [p50 = null, p95 = null, p99 = null] = row.p ?? [];
    byGroup.set(row.grp, { p50, p95, p99, avg: row.avg === null ? null : Math.round(row.avg * 1000) / 1000, max: row.max === null ? null : Number(row.max) });
  }
  return { counts: counts.rows, durations: byGroup };
}

/** Overall figures and one entry per workflow, busiest first. */
export async function summary(db: Queryable, window: Window): Promise<ExecutionStats & { workflows: WorkflowStats[] }> {
  const { counts, durations } = await grouped(db, window, 'workflow_id');
  const workflows = [...new Set(counts.map((row) => row.grp ?? ''))].map((workflow_id) => ({
    workflow_id,
    ...statsOf(counts.filter((row) => row.grp === workflow_id), durations.get(workflow_id)),
  }));
  workflows.sort((a, b) => b.total - a.total || a.workflow_id.localeCompare(b.workflow_id));
  return { ...statsOf(counts, durations.get(null) ?? NO_DURATIONS), workflows };
}

/** One bucket per hour or day of the window, oldest first, empty ones included. */
export async function trends(db: Queryable, window: Window, interval: AnalyticsInterval): Promise<TrendBucket[]> {
  const group = `to_char(date_trunc('${interval}', started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')`;
  const { counts, durations } = await grouped(db, window, group);
  const step = BUCKET_MS[interval];
  const buckets: TrendBucket[] = [];
  for (let at = Math.floor(window.from.getTime() / step) * step; at < window.to.getTime(); at += step) {
    const bucket = new Date(at).toISOString();
    buckets.push({ bucket, ...statsOf(counts.filter((row) => row.grp === bucket), durations.get(bucket)) });
  }
  return buckets;
}
