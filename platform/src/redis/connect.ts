import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createMemoryCache, createRedisCache, type Cache } from '../cache/index.js';

export interface CacheConnection {
  readonly cache: Cache;
  readonly redis: Redis | undefined;
  close(): Promise<void>;
}

export interface CacheConnectionOptions {
  /** Prefixed to every key (CACHE_NAMESPACE): a tool that clears or writes entries must use the services' one. */
  readonly namespace: string;
  /**
   * When no Redis answers at start. `redis` (a service of its own): keep the Redis cache; its
   * commands fail at once, which readers take as misses and the projector as a write to repair,
   * until the client, reconnecting in the background, reaches Redis. `memory` (one process with
   * every role, `iwf dev`): an in-process cache for the life of the process, which its own
   * projector keeps current. A process that reads what another writes must never use one.
   */
  readonly whenUnreachable: 'redis' | 'memory';
}

/** A command Redis has not answered within this long fails; callers take it as a miss. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/** Connects to Redis, which is only a cache: trouble with it makes reads go to PostgreSQL. */
export async function connectCache(url: string, logger: Logger, options: CacheConnectionOptions): Promise<CacheConnection> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // A Redis that holds the connection open but stops answering must not hold up a request.
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  try {
    await redis.connect();
  } catch {
    if (options.whenUnreachable === 'memory') {
      redis.disconnect();
      logger.warn({ url: redactUrl(url) }, 'Redis is not answering: using an in-process cache');
      const cache = createMemoryCache();
      return { cache, redis: undefined, close: () => cache.close() };
    }
    logger.warn({ url: redactUrl(url) }, 'Redis is not answering: reads go to PostgreSQL until it does');
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
