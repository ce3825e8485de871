import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { repeatInBackground } from '../../runtime/repeat.js';

export type DependencyCheck = () => Promise<unknown>;

export interface DependencyProbe {
  readonly name: string;
  close(): Promise<void>;
}

/** PostgreSQL pool occupancy, read at scrape time, and idle-client errors as they happen. */
export function registerPoolMetrics(registry: Registry, pool: pg.Pool, name = 'main'): void {
  new Gauge({
    name: 'iwf_db_pool_connections',
    help: 'PostgreSQL pool connections by state (idle or in use) and the pool maximum',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      this.set({ pool: name, state: 'idle' }, pool.idleCount);
      this.set({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ pool: name, state: 'max' }, pool.options.max ?? 10);
    },
  });
  new Gauge({
    name: 'iwf_db_pool_waiting_requests',
    help: 'Queries waiting for a free PostgreSQL connection',
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      this.set({ pool: name }, pool.waitingCount);
    },
  });
  const errors = new Counter({ name: 'iwf_db_pool_errors_total', help: 'Pooled PostgreSQL connections that failed while idle', labelNames: ['pool'], registers: [registry] });
  errors.inc({ pool: name }, 0);
  pool.on('error', () => errors.inc({ pool: name }));
}

/**
 * Checks each dependency in the background (not at scrape time, so a hung database cannot
 * stall a scrape): `iwf_dependency_up{dependency}` is 1 while its last check answered in time.
 */
export function startDependencyProbe(registry: Registry, checks: Readonly<Record<string, DependencyCheck>>, options: { intervalMs?: number; timeoutMs?: number } = {}): DependencyProbe {
  const up = new Gauge({ name: 'iwf_dependency_up', help: '1 when the dependency answered its last check in time', labelNames: ['dependency'], registers: [registry] });
  const failures = new Counter({ name: 'iwf_dependency_check_failures_total', help: 'Failed dependency checks', labelNames: ['dependency'], registers: [registry] });
  const latency = new Gauge({ name: 'iwf_dependency_check_duration_seconds', help: 'How long the last dependency check took', labelNames: ['dependency'], registers: [registry] });
  const timeoutMs = options.timeoutMs ?? 2_000;
  for (const dependency of Object.keys(checks)) failures.inc({ dependency }, 0);

  const checkAll = async (): Promise<void> => {
    await Promise.all(
      Object.entries(checks).map(async ([dependency, check]) => {
        const started = performance.now();
        const ok = await withTimeout(check(), timeoutMs).then(
          () => true,
          () => false,
        );
        up.set({ dependency }, ok ? 1 : 0);
        latency.set({ dependency }, (performance.now() - started) / 1000);
        if (!ok) failures.inc({ dependency });
      }),
    );
  };
  return repeatInBackground('dependency probe', options.intervalMs ?? 5_000, checkAll);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
