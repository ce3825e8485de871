import type { ExecutionDecision } from '../execution/types.js';

export const ANALYTICS_TIME_RANGES = ['1h', '24h', '7d', '30d'] as const;
export type AnalyticsTimeRange = (typeof ANALYTICS_TIME_RANGES)[number];
export const ANALYTICS_INTERVALS = ['hour', 'day'] as const;
export type AnalyticsInterval = (typeof ANALYTICS_INTERVALS)[number];

/**
 * Statuses analytics counts: `running` is every execution still in progress, those waiting
 * for an event or an approval included; the rest are how executions ended.
 */
export const ANALYTICS_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'timed_out'] as const;
export type AnalyticsStatus = (typeof ANALYTICS_STATUSES)[number];

/** Durations of finished executions, in milliseconds; null when none finished. */
export interface DurationStats {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly avg: number | null;
  readonly max: number | null;
}

/** What happened to the executions started in a window. */
export interface ExecutionStats {
  readonly total: number;
  readonly by_status: Readonly<Record<AnalyticsStatus, number>>;
  /** Completed executions by their decision. */
  readonly by_decision: Readonly<Record<ExecutionDecision, number>>;
  /** completed / (completed + failed + timed_out + cancelled); null before any finished. */
  readonly success_rate: number | null;
  readonly duration_ms: DurationStats;
}

export interface WorkflowStats extends ExecutionStats {
  readonly workflow_id: string;
}

/** `GET /analytics/summary`: executions started within the range, overall and per workflow. */
export interface AnalyticsSummaryView extends ExecutionStats {
  readonly time_range: AnalyticsTimeRange;
  readonly from: string;
  readonly to: string;
  readonly workflow_id: string | null;
  readonly workflows: readonly WorkflowStats[];
}

export interface TrendBucket extends ExecutionStats {
  /** Start of the bucket (UTC hour or day). */
  readonly bucket: string;
}

/** `GET /analytics/trends`: the same figures per hour or day, oldest bucket first. */
export interface AnalyticsTrendsView {
  readonly interval: AnalyticsInterval;
  readonly time_range: AnalyticsTimeRange;
  readonly from: string;
  readonly to: string;
  readonly workflow_id: string | null;
  readonly buckets: readonly TrendBucket[];
}
