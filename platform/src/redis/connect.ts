import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createMemoryCache, createRedisCache, type Cache } from '../cache/index.js';

export interface CacheConnection {
  readonly cache: Cache;
  readonly redis: Redis | undefined;
  close(): Promise<void>;
}

/**
 * Connects to Redis; when none answers at start, falls back to an in-process cache so the
 * system still runs (Redis is only a cache). Commands fail fast while Redis is down rather
 * than queueing, and callers treat failures as misses. Keys are prefixed with `namespace`
 * (CACHE_NAMESPACE): a tool that clears or writes entries must use the services' one.
 */
export async function connectCache(url: string, logger: Logger, options: { readonly namespace: string; readonly required?: boolean }): Promise<CacheConnection> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    if (options.required) throw error;
    logger.warn({ url: redactUrl(url) }, 'Redis is not answering: using an in-process cache');
    const cache = createMemoryCache();
    return { cache, redis: undefined, close: () => cache.close() };
  }
  const cache = createRedisCache(redis, { namespace: options.namespace });
  return {
    cache,
    redis,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
