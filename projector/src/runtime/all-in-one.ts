import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { registerCommandService, commandMigrations, eventStoreMigrations, SERVICE_VERSION } from '@iwf/command-service';
import { createConfiguredEventStore } from '@iwf/command-service/event-store/kurrentdb/configured';
import { createPositionWatcher, registerQueryService } from '@iwf/query-service';
import type { Config } from '@iwf/platform/config/config';
import { createHttpApp, type HttpApp } from '@iwf/platform/http/app';
import { registerHealthRoutes } from '@iwf/platform/http/health';
import { registerOpenApi } from '@iwf/platform/http/openapi';
import { connectCache } from '@iwf/platform/redis/connect';
import { openDatabase } from '@iwf/platform/runtime/database';
import type { Closeable } from '@iwf/platform/runtime/serve';
import { createObservability, type Observability } from '@iwf/platform/observability/service';
import { engineMigrations, startEngine } from '@iwf/command-service/engine/runtime/start';
import { securityDeps } from '@iwf/command-service/api-keys/security-deps';
import { startReadModelSampler, statusesWithParked } from '../observability/read-model-sampler.js';
import { readModelMigrations } from '../read-models.js';
import { startProjectorRole } from './projector-role.js';

export interface AllInOne {
  readonly app: HttpApp;
  /** Opened resources, in opening order; close them in reverse. */
  readonly resources: readonly Closeable[];
  /** Metrics of every role; `iwf dev` serves them on METRICS_PORT. */
  readonly observability: Observability;
}

/** Command, query and projector roles in one process, both route sets on one server. */
export async function buildAllInOne(config: Config, logger: Logger): Promise<AllInOne> {
  const resources: Closeable[] = [];
  const observability = createObservability({ service: 'iwf-dev', config, logger });
  const pool = await openDatabase(config, logger, [eventStoreMigrations, commandMigrations, engineMigrations, readModelMigrations]);
  resources.push({ name: 'postgres', close: () => pool.end() });
  observability.watchPool(pool);
  const store = observability.instrumentStore(
    createConfiguredEventStore({ scaleOut: config.scaleOut, pool, connectionString: config.databaseUrl, onError: (error) => logger.warn({ err: error }, 'event store') }),
  );
  resources.push({ name: 'event store', close: () => store.close() });
  const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace, whenUnreachable: 'memory' });
  resources.push({ name: 'cache', close: () => cache.close() });
  const onCacheResult = observability.watchCache(cache);
  const redis = cache.redis;
  resources.push(observability.probe({ postgres: () => pool.query('SELECT 1'), ...(redis ? { redis: () => redis.ping() } : {}) }));
  const projector = startProjectorRole({ store, pool, cache: cache.cache, logger, scaleOut: config.scaleOut, onKafkaLag: observability.kafkaLag });
  resources.push({ name: 'projector', close: () => projector.close() });
  const sampler = startReadModelSampler(pool);
  resources.push(sampler);
  observability.watchProjections(() => statusesWithParked(projector.runners, sampler));
  observability.watchWorkload(() => sampler.latest()?.workload);
  const watcher = await createPositionWatcher({ pool, connectionString: config.databaseUrl, logger });
  resources.push({ name: 'position watcher', close: () => watcher.close() });

  const security = securityDeps({ store, newId: randomUUID, redis: cache.redis, namespace: config.cacheNamespace });
  const app = await createHttpApp({ config, logger, security });
  await registerOpenApi(app, { title: 'Intelligent Workflows API', version: SERVICE_VERSION });
  await observability.instrumentApp(app);
  registerHealthRoutes(app, SERVICE_VERSION, {
    postgres: async () => void (await pool.query('SELECT 1')),
  }, cache.redis ? { redis: async () => void (await cache.redis?.ping()) } : {});
  const { engine, resource: engineResource } = startEngine({ store, pool, logger, clock: () => new Date(), newId: randomUUID, outbound: config.security.outbound });
  resources.push(engineResource);
  await registerCommandService(app, { store, pool, clock: () => new Date(), newId: randomUUID, engine });
  await registerQueryService(app, { pool, cache: cache.cache, onCacheResult }, { watcher, defaultWaitMs: config.minPositionWaitMs });
  return { app, resources, observability };
}
