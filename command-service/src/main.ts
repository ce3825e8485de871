import { randomUUID } from 'node:crypto';
import { loadConfig } from '@iwf/platform/config/config';
import { createLogger } from '@iwf/platform/logging/logger';
import { createHttpApp } from '@iwf/platform/http/app';
import { registerHealthRoutes } from '@iwf/platform/http/health';
import { registerOpenApi } from '@iwf/platform/http/openapi';
import { openDatabase } from '@iwf/platform/runtime/database';
import { serve } from '@iwf/platform/runtime/serve';
import { connectCache } from '@iwf/platform/redis/connect';
import { securityDeps } from './api-keys/security-deps.js';
import { createObservability } from '@iwf/platform/observability/service';
import { startTracing } from '@iwf/platform/observability/tracing/tracing';
import { registerCommandService } from './app.js';
import { eventStoreMigrations } from './event-store/index.js';
import { createConfiguredEventStore } from './event-store/kurrentdb/configured.js';
import { commandMigrations } from './idempotency/migrations.js';
import { engineMigrations, startEngine } from './engine/runtime/start.js';
import { SERVICE_VERSION } from './version.js';

/** The command service alone: writes only. */
async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName ?? 'command-service', serviceVersion: SERVICE_VERSION, sampleRatio: config.otel.sampleRatio });
  const logger = createLogger({ level: config.logLevel, name: 'command-service', format: config.logFormat });
  const observability = createObservability({ service: 'command-service', config, logger });
  const pool = await openDatabase(config, logger, [eventStoreMigrations, commandMigrations, engineMigrations]);
  observability.watchPool(pool);
  const probe = observability.probe({ postgres: () => pool.query('SELECT 1') });
  const store = observability.instrumentStore(createConfiguredEventStore({ scaleOut: config.scaleOut, pool, connectionString: config.databaseUrl, onError: (error) => logger.warn({ err: error }, 'event store') }));
  // Redis holds the rate-limit buckets every replica shares.
  const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace });
  const security = securityDeps({ store, newId: randomUUID, redis: cache.redis, namespace: config.cacheNamespace });
  const app = await createHttpApp({ config, logger, security });
  await registerOpenApi(app, { title: 'Intelligent Workflows command API', version: SERVICE_VERSION });
  await observability.instrumentApp(app);
  registerHealthRoutes(app, SERVICE_VERSION, { postgres: async () => void (await pool.query('SELECT 1')) });
  const { engine, resource: engineResource } = startEngine({ store, pool, logger, clock: () => new Date(), newId: randomUUID, outbound: config.security.outbound });
  await registerCommandService(app, { store, pool, clock: () => new Date(), newId: randomUUID, engine });
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
      probe,
      engineResource,
    ],
  });
  logger.info({ address }, 'command service listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`command-service: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
