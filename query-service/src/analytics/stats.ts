import type { AnalyticsStatus, DurationStats, ExecutionDecision, ExecutionStats } from '@iwf/contracts';
import { ANALYTICS_STATUSES, EXECUTION_DECISIONS } from '@iwf/contracts';

/** A group's counts by status and decision, as the database counted them. */
export interface CountRow {
  readonly status: string;
  readonly decision: string | null;
  readonly n: number;
}

export const NO_DURATIONS: DurationStats = { p50: null, p95: null, p99: null, avg: null, max: null };

/** Counts and durations of one group (a workflow, a bucket, everything) in the DTO's shape. */
export function statsOf(counts: readonly CountRow[], durations: DurationStats = NO_DURATIONS): ExecutionStats {
  const by_status = Object.fromEntries(ANALYTICS_STATUSES.map((status) => [status, 0])) as Record<AnalyticsStatus, number>;
  const by_decision = Object.fromEntries(EXECUTION_DECISIONS.map((decision) => [decision, 0])) as Record<ExecutionDecision, number>;
  let total = 0;
  for (const row of counts) {
    total += row.n;
    if (row.status in by_status) by_status[row.status as AnalyticsStatus] += row.n;
    if (row.status === 'completed' && row.decision !== null && row.decision in by_decision) by_decision[row.decision as ExecutionDecision] += row.n;
  }
  const finished = total - by_status.running;
  return { total, by_status, by_decision, success_rate: finished === 0 ? null : by_status.completed / finished, duration_ms: durations };
}
