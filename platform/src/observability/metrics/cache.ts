import { Counter, Gauge, type Registry } from 'prom-client';

/** What a reader calls after each cache lookup (the query service's `onCacheResult`). */
export type CacheResultObserver = (kind: string, hit: boolean) => void;

/** `iwf_cache_requests_total{kind,result}` and which backend (redis or memory) serves the cache. */
export function registerCacheMetrics(registry: Registry, backend: 'redis' | 'memory'): CacheResultObserver {
  const requests = new Counter({
    name: 'iwf_cache_requests_total',
    help: 'Read-side cache lookups by entity kind and result (hit or miss)',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });
  const gauge = new Gauge({ name: 'iwf_cache_backend', help: 'The cache backend in use (1)', labelNames: ['backend'], registers: [registry] });
  gauge.set({ backend }, 1);
  return (kind, hit) => requests.inc({ kind, result: hit ? 'hit' : 'miss' });
}
