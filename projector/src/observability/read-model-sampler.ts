import type pg from 'pg';
import type { Workload } from '@iwf/platform/observability/metrics/workflow';
import { repeatInBackground } from '@iwf/platform/runtime/repeat';
import type { ProjectionStatus } from '../runner/status.js';

export interface ReadModelSample {
  /** Parked events not yet replayed, by projection. */
  readonly parked: ReadonlyMap<string, number>;
  readonly workload: Workload;
}

export interface ReadModelSampler {
  readonly name: string;
  latest(): ReadModelSample | undefined;
  close(): Promise<void>;
}

const PARKED = `SELECT projection, count(*)::int AS n FROM iwf_read.parked_events WHERE replayed_at IS NULL GROUP BY projection`;
// The executions projection keeps per-status counts, so this reads a handful of rows.
const IN_PROGRESS = `SELECT status, coalesce(sum(count), 0)::int AS n FROM iwf_read.execution_counts WHERE status IN ('running', 'waiting') GROUP BY status`;
const PENDING = `SELECT count(*)::int AS n FROM iwf_read.approvals WHERE status = 'pending'`;

/**
 * Samples the read models the projector keeps, in the background (a slow database must not
 * stall a scrape): parked events per projection, executions in progress, pending approvals.
 * A failed sample keeps the previous one.
 */
export function startReadModelSampler(pool: pg.Pool, intervalMs = 5_000): ReadModelSampler {
  let latest: ReadModelSample | undefined;
  const sample = async (): Promise<void> => {
    try {
      // One after another: a sample never holds more than one of the pool's connections.
      const parked = await pool.query<{ projection: string; n: number }>(PARKED);
      const inProgress = await pool.query<{ status: string; n: number }>(IN_PROGRESS);
      const pending = await pool.query<{ n: number }>(PENDING);
      const byStatus = new Map(inProgress.rows.map((row) => [row.status, row.n]));
      latest = {
        parked: new Map(parked.rows.map((row) => [row.projection, row.n])),
        workload: { running: byStatus.get('running') ?? 0, waiting: byStatus.get('waiting') ?? 0, approvalsPending: pending.rows[0]?.n ?? 0 },
      };
    } catch {
      // The previous sample stands; iwf_dependency_up tells whether the database answers.
    }
  };
  return { ...repeatInBackground('read model sampler', intervalMs, sample), latest: () => latest };
}

/** Each runner's status with the parked count of its projection, for the projector metrics. */
export function statusesWithParked(runners: readonly { status(): ProjectionStatus }[], sampler: ReadModelSampler): (ProjectionStatus & { parked_events: number })[] {
  const parked = sampler.latest()?.parked;
  return runners.map((runner) => {
    const status = runner.status();
    return { ...status, parked_events: parked?.get(status.projection) ?? 0 };
  });
}
