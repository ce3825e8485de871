import type pg from 'pg';
import type { Cache } from '@iwf/platform/cache/cache';

export interface QueryServiceDeps {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  /** Observes cache hits and misses (metrics). */
  readonly onCacheResult?: (kind: string, hit: boolean) => void;
}
