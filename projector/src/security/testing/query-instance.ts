import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { createPostgresEventStore } from '@iwf/command-service';
import { securityDeps } from '@iwf/command-service/api-keys/security-deps';
import { createPositionWatcher, registerQueryService } from '@iwf/query-service';
import { loadConfig } from '@iwf/platform/config/config';
import { createHttpApp, type HttpApp } from '@iwf/platform/http/app';
import { registerHealthRoutes } from '@iwf/platform/http/health';
import { connectCache, type CacheConnection } from '@iwf/platform/redis/connect';
import { TEST_JWT_SECRET } from '../../runtime/testing/system.js';

/** One replica of the query service, composed as query-service/src/main.ts composes it. */
export interface QueryInstance {
  readonly app: HttpApp;
  readonly cache: CacheConnection;
  /** Log lines at warn level or above. */
  logs(): readonly Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startQueryInstance(databaseUrl: string, env: Readonly<Record<string, string>>): Promise<QueryInstance> {
  const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', JWT_SECRET: TEST_JWT_SECRET, ...env });
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace, whenUnreachable: 'redis' });
  const store = createPostgresEventStore({ pool, connectionString: databaseUrl });
  const watcher = await createPositionWatcher({ pool, connectionString: databaseUrl, logger });
  const security = securityDeps({ store, newId: randomUUID, redis: cache.redis, namespace: config.cacheNamespace });
  const app = await createHttpApp({ config, logger, security });
  registerHealthRoutes(app, 'test', { postgres: async () => void (await pool.query('SELECT 1')) }, cache.redis ? { redis: async () => void (await cache.redis?.ping()) } : {});
  await registerQueryService(app, { pool, cache: cache.cache }, { watcher, defaultWaitMs: config.minPositionWaitMs });
  await app.ready();
  return {
    app,
    cache,
    logs: () => lines,
    async close() {
      await app.close();
      await watcher.close();
      await store.close();
      await cache.close();
      await pool.end();
    },
  };
}
