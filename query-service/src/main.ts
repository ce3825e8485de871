import { randomUUID } from 'node:crypto';
import { createPostgresEventStore } from '@iwf/command-service';
import { securityDeps } from '@iwf/command-service/api-keys/security-deps';
import { loadConfig } from '@iwf/platform/config/config';
import { createLogger } from '@iwf/platform/logging/logger';
import { createHttpApp } from '@iwf/platform/http/app';
import { registerHealthRoutes } from '@iwf/platform/http/health';
import { registerOpenApi } from '@iwf/platform/http/openapi';
import { openDatabase } from '@iwf/platform/runtime/database';
import { serve } from '@iwf/platform/runtime/serve';
import { connectCache } from '@iwf/platform/redis/connect';
import { createObservability } from '@iwf/platform/observability/service';
import { startTracing } from '@iwf/platform/observability/tracing/tracing';
import { registerQueryService } from './app.js';
import { createPositionWatcher } from './positions/watcher.js';
import { SERVICE_VERSION } from './version.js';

/** The query service alone: reads only; the projector owns (and migrates) the read models. */
async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName ?? 'query-service', serviceVersion: SERVICE_VERSION, sampleRatio: config.otel.sampleRatio });
  const logger = createLogger({ level: config.logLevel, name: 'query-service', format: config.logFormat });
  const observability = createObservability({ service: 'query-service', config, logger });
  const pool = await openDatabase(config, logger, []);
  const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace });
  observability.watchPool(pool);
  const onCacheResult = observability.watchCache(cache);
  const redis = cache.redis;
  const probe = observability.probe({ postgres: () => pool.query('SELECT 1'), ...(redis ? { redis: () => redis.ping() } : {}) });
  const watcher = await createPositionWatcher({ pool, connectionString: config.databaseUrl, logger });
  // The log, read for API keys (a revocation counts at once) and appended to for denials.
  const store = createPostgresEventStore({ pool, connectionString: config.databaseUrl });
  const security = securityDeps({ store, newId: randomUUID, redis: cache.redis, namespace: config.cacheNamespace });
  const app = await createHttpApp({ config, logger, security });
  await registerOpenApi(app, { title: 'Intelligent Workflows query API', version: SERVICE_VERSION });
  await observability.instrumentApp(app);
  registerHealthRoutes(app, SERVICE_VERSION, {
    postgres: async () => void (await pool.query('SELECT 1')),
    ...(cache.redis ? { redis: async () => void (await cache.redis?.ping()) } : {}),
  });
  await registerQueryService(app, { pool, cache: cache.cache, onCacheResult }, { watcher, defaultWaitMs: config.minPositionWaitMs });
  const metrics = await observability.listen();
  const address = await serve(app, {
    host: config.host,
    port: config.port,
    logger,
    resources: [
      { name: 'tracing', close: () => tracing.shutdown() },
      metrics,
      { name: 'postgres', close: () => pool.end() },
      { name: 'event store', close: () => store.close() },
      { name: 'cache', close: () => cache.close() },
      { name: 'position watcher', close: () => watcher.close() },
      probe,
    ],
  });
  logger.info({ address }, 'query service listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`query-service: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
