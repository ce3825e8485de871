import { randomUUID } from 'node:crypto';
import { createHttpApp } from '@iwf/platform/http/app';
import { registerHealthRoutes } from '@iwf/platform/http/health';
import { registerOpenApi } from '@iwf/platform/http/openapi';
import { openDatabase } from '@iwf/platform/runtime/database';
import { runService } from '@iwf/platform/runtime/service';
import { connectCache } from '@iwf/platform/redis/connect';
import { securityDeps } from './api-keys/security-deps.js';
import { registerCommandService } from './app.js';
import { eventStoreMigrations } from './event-store/index.js';
import { createConfiguredEventStore } from './event-store/kurrentdb/configured.js';
import { commandMigrations } from './idempotency/migrations.js';
import { engineMigrations, startEngine } from './engine/runtime/start.js';
import { SERVICE_VERSION } from './version.js';

/** The command service alone: writes only. */
runService({ name: 'command-service', version: SERVICE_VERSION }, async ({ config, logger, observability, own }) => {
  const pool = await openDatabase(config, logger, [eventStoreMigrations, commandMigrations, engineMigrations]);
  own({ name: 'postgres', close: () => pool.end() });
  observability.watchPool(pool);
  const store = observability.instrumentStore(createConfiguredEventStore({ scaleOut: config.scaleOut, pool, connectionString: config.databaseUrl, onError: (error) => logger.warn({ err: error }, 'event store') }));
  own({ name: 'event store', close: () => store.close() });
  // Redis holds the rate-limit buckets every replica shares.
  const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace, whenUnreachable: 'redis' });
  own({ name: 'cache', close: () => cache.close() });
  own(observability.probe({ postgres: () => pool.query('SELECT 1') }));
  const security = securityDeps({ store, newId: randomUUID, redis: cache.redis, namespace: config.cacheNamespace });
  const app = await createHttpApp({ config, logger, security });
  await registerOpenApi(app, { title: 'Intelligent Workflows command API', version: SERVICE_VERSION });
  await observability.instrumentApp(app);
  registerHealthRoutes(app, SERVICE_VERSION, { postgres: async () => void (await pool.query('SELECT 1')) });
  const { engine, resource: engineResource } = startEngine({ store, pool, logger, clock: () => new Date(), newId: randomUUID, outbound: config.security.outbound });
  own(engineResource);
  await registerCommandService(app, { store, pool, clock: () => new Date(), newId: randomUUID, engine });
  return app;
});
