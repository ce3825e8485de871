import { comparePositions, type LogPosition } from '@iwf/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * What the projector metrics read from each runner; the runner's `status()` fits it. Parking
 * and rebuilds report through the optional fields once they exist.
 */
export interface ProjectionStatusLike {
  readonly projection: string;
  readonly state: string;
  readonly position: LogPosition | undefined;
  readonly events_applied: number;
  readonly head_position: LogPosition | undefined;
  readonly lag_seconds: number;
  readonly last_batch_at: Date | undefined;
  readonly cache_dirty: boolean;
  readonly parked_events?: number;
  /** 0..1 while a rebuild runs; without it, progress is how far the checkpoint is towards the head. */
  readonly rebuild_progress?: number;
  /**
   * False for an instance that works on the projection but leaves the position-based series and
   * the counter to another one (in Kafka mode several members apply each projection; one reports).
   */
  readonly reports_position?: boolean;
}

export const RUNNER_STATES = ['starting', 'standby', 'active', 'rebuilding', 'retrying', 'awaiting_rebuild', 'stopped', 'failed'] as const;

/**
 * Projector series, read from the runners at scrape time. Position-based ones come only from
 * the instance that holds a projection (standbys, and members that leave reporting to another,
 * report their state alone), so `max by (projection)` over instances reads the active one.
 */
export function registerProjectorMetrics(registry: Registry, statuses: () => readonly ProjectionStatusLike[], now: () => Date = () => new Date()): void {
  const firstSeen = new Map<string, Date>();
  const active = (): ProjectionStatusLike[] =>
    statuses().filter((status) => status.reports_position !== false && (status.state === 'active' || status.state === 'rebuilding' || status.state === 'retrying'));
  const labelNames = ['projection'] as const;
  const gauge = (name: string, help: string, value: (status: ProjectionStatusLike) => number): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const status of active()) this.set({ projection: status.projection }, value(status));
      },
    });
  };

  new Counter({
    name: 'iwf_projection_events_processed_total',
    help: 'Events the projection has applied since it was created (kept in its checkpoint)',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const status of active()) this.inc({ projection: status.projection }, status.events_applied);
    },
  });
  gauge('iwf_projection_lag_events', 'Events in the log after the checkpoint (from log sequence numbers; approximate)', (status) => lagEvents(status.position, status.head_position));
  gauge('iwf_projection_lag_seconds', 'Age of the last applied event while newer ones wait; 0 when caught up', (status) => status.lag_seconds);
  gauge('iwf_projection_checkpoint_age_seconds', 'Seconds since this runner last advanced the checkpoint (since it started, before the first batch)', (status) => {
    const since = status.last_batch_at ?? firstSeenAt(firstSeen, status.projection, now);
    return Math.max(0, (now().getTime() - since.getTime()) / 1000);
  });
  gauge('iwf_projection_position', 'Log sequence number of the last applied event', (status) => sequenceOf(status.position));
  gauge('iwf_projection_head_position', 'Log sequence number of the newest event the projection could read', (status) => sequenceOf(status.head_position));
  gauge('iwf_projection_parked_events', 'Events set aside after failing to apply, awaiting an operator', (status) => status.parked_events ?? 0);
  gauge('iwf_projection_rebuild_progress_ratio', 'How far a rebuild or catch-up has come, 0..1 (1 when caught up)', (status) => status.rebuild_progress ?? progress(status.position, status.head_position));
  gauge('iwf_projection_cache_dirty', '1 while the projection cannot write the cache and its entries await clearing', (status) => (status.cache_dirty ? 1 : 0));
  new Gauge({
    name: 'iwf_projection_state',
    help: 'The runner state of each projection in this process (1 for the current state)',
    labelNames: ['projection', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses()) for (const state of RUNNER_STATES) this.set({ projection: status.projection, state }, status.state === state ? 1 : 0);
    },
  });
}

function firstSeenAt(seen: Map<string, Date>, projection: string, now: () => Date): Date {
  let at = seen.get(projection);
  if (!at) seen.set(projection, (at = now()));
  return at;
}

function sequenceOf(position: LogPosition | undefined): number {
  return position ? Number(position.prepare) : 0;
}

/**
 * Sequence numbers grow with each append; gaps (rolled-back appends) make this an upper bound.
 * Behind is decided in log order (commit, then sequence): a transaction that took its numbers
 * before the checkpoint's and committed after it is still one event to go, not zero.
 */
export function lagEvents(position: LogPosition | undefined, head: LogPosition | undefined): number {
  if (!head || (position && comparePositions(position, head) >= 0)) return 0;
  const behind = head.prepare - (position?.prepare ?? 0n);
  return behind > 0n ? Number(behind) : 1;
}

/** 1 once the checkpoint has reached the head in log order; below 1 until then, whatever the sequence numbers say. */
export function progress(position: LogPosition | undefined, head: LogPosition | undefined): number {
  if (!head || head.prepare <= 0n || (position && comparePositions(position, head) >= 0)) return 1;
  if (!position) return 0;
  const total = Number(head.prepare);
  return Math.min(Number(position.prepare) / total, (total - 1) / total);
}
