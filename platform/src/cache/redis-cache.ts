import type { Redis } from 'ioredis';
import type { Cache, CachedEntry } from './cache.js';

// Stored as a hash {r: revision, v: json}; the script compares revisions atomically in Redis.
const SET_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], 'r')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'v', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

export interface RedisCacheOptions {
  /** Entries expire after this long without being rewritten; 0 keeps them. */
  readonly ttlMs?: number;
  /**
   * Prefixed to every key, so deployments (or test systems) sharing one Redis never answer
   * each other's reads. Letters, digits, `_` and `-` only: it takes part in SCAN patterns.
   */
  readonly namespace?: string;
}

export function createRedisCache(redis: Redis, options: RedisCacheOptions = {}): Cache {
  const ttl = options.ttlMs ?? 24 * 3600_000;
  const namespace = options.namespace ?? '';
  if (!/^[A-Za-z0-9_-]*$/.test(namespace)) throw new Error(`invalid cache namespace: ${namespace}`);
  const k = (key: string): string => (namespace ? `${namespace}:${key}` : key);
  return {
    kind: 'redis',
    async get(key) {
      const [revision, value] = await redis.hmget(k(key), 'r', 'v');
      if (revision == null || value == null) return undefined;
      return { revision: Number(revision), value: JSON.parse(value) as unknown } satisfies CachedEntry;
    },
    async setIfNewer(key, revision, value) {
      const result = await redis.eval(SET_IF_NEWER, 1, k(key), String(revision), JSON.stringify(value), String(ttl));
      return result === 1;
    },
    async delete(keys) {
      if (keys.length > 0) await redis.del(...keys.map(k));
    },
    async clearPrefix(prefix) {
      let removed = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${k(prefix)}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) removed += await redis.del(...keys);
      } while (cursor !== '0');
      return removed;
    },
    async close() {
      // The connection belongs to whoever created it.
    },
  };
}
