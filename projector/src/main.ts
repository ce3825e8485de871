import { eventStoreMigrations } from '@iwf/command-service';
import { createConfiguredEventStore } from '@iwf/command-service/event-store/kurrentdb/configured';
import { loadConfig } from '@iwf/platform/config/config';
import { createLogger } from '@iwf/platform/logging/logger';
import { createObservability } from '@iwf/platform/observability/service';
import { startTracing } from '@iwf/platform/observability/tracing/tracing';
import { connectCache } from '@iwf/platform/redis/connect';
import { openDatabase } from '@iwf/platform/runtime/database';
import { closeInReverse } from '@iwf/platform/runtime/serve';
import type { Closeable } from '@iwf/platform/runtime/serve';
import type { Logger } from 'pino';
import { watchProjectionStatuses } from './observability/projection-statuses.js';
import { startReadModelSampler } from './observability/read-model-sampler.js';
import { readModelMigrations } from './read-models.js';
import { startProjectorRole } from './runtime/projector-role.js';

const SERVICE = 'projector';

/**
 * The projector alone: keeps the read models and the cache from the log. It has no API port;
 * METRICS_PORT serves /metrics, /health, /ready and the admin profiling routes.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const resources: Closeable[] = [];
  const tracing = startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName ?? SERVICE, sampleRatio: config.otel.sampleRatio });
  resources.push({ name: 'tracing', close: () => tracing.shutdown() });
  const logger = createLogger({ level: config.logLevel, name: SERVICE, format: config.logFormat });
  try {
    const observability = createObservability({ service: SERVICE, config, logger });
    // The event store's tables too, so the projector may start before the command service.
    const pool = await openDatabase(config, logger, [eventStoreMigrations, readModelMigrations]);
    resources.push({ name: 'postgres', close: () => pool.end() });
    observability.watchPool(pool);
    const store = createConfiguredEventStore({ scaleOut: config.scaleOut, pool, connectionString: config.databaseUrl, onError: (error) => logger.warn({ err: error }, 'event store') });
    resources.push({ name: 'event store', close: () => store.close() });
    const cache = await connectCache(config.redisUrl, logger, { namespace: config.cacheNamespace, whenUnreachable: 'redis' });
    resources.push({ name: 'cache', close: () => cache.close() });
    observability.watchCache(cache);
    const redis = cache.redis;
    resources.push(observability.probe({ postgres: () => pool.query('SELECT 1'), ...(redis ? { redis: () => redis.ping() } : {}) }));
    const role = startProjectorRole({ store, pool, cache: cache.cache, logger, scaleOut: config.scaleOut, onKafkaLag: observability.kafkaLag });
    resources.push({ name: 'projector', close: () => role.close() });
    const sampler = startReadModelSampler(pool);
    resources.push(sampler);
    const projections = watchProjectionStatuses(role, { pool, store, scaleOut: config.scaleOut, readModels: sampler });
    resources.push(projections);
    observability.watchProjections(() => projections.statuses());
    observability.watchWorkload(() => sampler.latest()?.workload);
    // A member kept out of its Kafka group by a model at another version takes over nothing:
    // a rollout must not retire the members that still apply.
    const metrics = await observability.listen(() => (role.kafka?.group.status().phase === 'awaiting_rebuild' ? 'read model stored at another version; run iwf rebuild' : undefined));
    resources.push(metrics);
    logger.info({ metrics: `${metrics.address}/metrics`, projections: projections.statuses().map((status) => status.projection) }, 'projector running');
  } catch (error) {
    await closeInReverse(resources, logger);
    throw error;
  }
  stopOnSignal(resources, logger);
}

/** SIGINT/SIGTERM: finish the batch in hand, release locks, close in reverse; a second signal exits at once. */
function stopOnSignal(resources: readonly Closeable[], logger: Logger): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void closeInReverse(resources, logger).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`projector: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
