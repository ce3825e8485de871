import { randomUUID } from 'node:crypto';
import { createConfiguredEventStore } from '@iwf/command-service/event-store/kurrentdb/configured';
import { securityDeps } from '@iwf/command-service/api-keys/security-deps';
import { createHttpApp } from '@iwf/platform/http/app';
import { registerHealthRoutes } from '@iwf/platform/http/health';
import { registerOpenApi } from '@iwf/platform/http/openapi';
import { openDatabase } from '@iwf/platform/runtime/database';
import { runService } from '@iwf/platform/runtime/service';
import { connectCache } from '@iwf/platform/redis/connect';
import { registerQueryService } from './app.js';
import { createPositionWatcher } from './positions/watcher.js';
import { SERVICE_VERSION } from './version.js';

/** The query service alone: reads only; the projector owns (and migrates) the read models. */
runService({ name: 'query-service', version: SERVICE_VERSION }, async ({ config, logger, observability, own }) => {
  const pool = await openDatabase(config, logger, []);
  own({ name: 'postgres', close: () => pool.end() });
  // The log EVENT_STORE names, read for API keys (a revocation counts at once) and appended to for denials.
  const store = createConfiguredEventStore({ scaleOut: config.scaleOut, pool, connectionString: config.databaseUrl, onError: (error) => logger.warn({ err: error }, 'event store') });
  own({ name: 'event store', close: () => store.close() });
  const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace, whenUnreachable: 'redis' });
  own({ name: 'cache', close: () => cache.close() });
  observability.watchPool(pool);
  const onCacheResult = observability.watchCache(cache);
  const redis = cache.redis;
  const watcher = await createPositionWatcher({ pool, connectionString: config.databaseUrl, logger });
  own({ name: 'position watcher', close: () => watcher.close() });
  own(observability.probe({ postgres: () => pool.query('SELECT 1'), ...(redis ? { redis: () => redis.ping() } : {}) }));
  const security = securityDeps({ store, newId: randomUUID, redis: cache.redis, namespace: config.cacheNamespace });
  const app = await createHttpApp({ config, logger, security });
  await registerOpenApi(app, { title: 'Intelligent Workflows query API', version: SERVICE_VERSION });
  await observability.instrumentApp(app);
  registerHealthRoutes(app, SERVICE_VERSION, {
    postgres: async () => void (await pool.query('SELECT 1')),
  }, cache.redis ? { redis: async () => void (await cache.redis?.ping()) } : {});
  await registerQueryService(app, { pool, cache: cache.cache, onCacheResult }, { watcher, defaultWaitMs: config.minPositionWaitMs });
  return app;
});
