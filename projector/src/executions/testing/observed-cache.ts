import type { Redis } from 'ioredis';
import type { Cache } from '@iwf/platform/cache/cache';
import { createRedisCache } from '@iwf/platform/cache/redis-cache';
import { eventually } from '../../runner/testing/fixture.js';

/**
 * What a test system's Redis holds under a cache key, seen from outside the system. The
 * system may prefix its keys (a namespace per deployment), so the key is found by suffix.
 */
export interface ObservedEntry {
  readonly cache: Cache;
  /** The raw key in Redis. */
  readonly key: string;
}

export async function observeCacheKey(redis: Redis, key: string): Promise<ObservedEntry> {
  const keys = await eventually(() => redis.keys(`*${key}`), (found) => found.length === 1);
  return { cache: createRedisCache(redis), key: keys[0]! };
}
