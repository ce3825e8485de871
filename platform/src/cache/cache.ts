/**
 * The read-side cache. Entries carry the aggregate revision they reflect; a write lands only
 * if it is newer than what is cached, so a late writer never overwrites a newer value.
 * The cache is never the source of truth: every miss or failure falls back to PostgreSQL.
 */
export interface Cache {
  get(key: string): Promise<CachedEntry | undefined>;
  /** Stores the value unless the cache already holds an equal or newer revision. */
  setIfNewer(key: string, revision: number, value: unknown): Promise<boolean>;
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every key with the prefix (used after a crash or a lost connection). */
  clearPrefix(prefix: string): Promise<number>;
  readonly kind: 'redis' | 'memory';
  close(): Promise<void>;
}

export interface CachedEntry {
  readonly revision: number;
  readonly value: unknown;
}

export const CACHE_PREFIX = 'iwf:c:';

/** Every cache key names its tenant, so one tenant's entries can never answer another's. */
export function cacheKey(tenant: string, kind: string, id: string): string {
  return `${CACHE_PREFIX}${tenant}:${kind}:${id}`;
}
