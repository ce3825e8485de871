import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventStore } from '@iwf/contracts';
import type { Config } from '../config/config.js';
import type { HttpApp } from '../http/app.js';
import type { CacheConnection } from '../redis/connect.js';
import type { Closeable } from '../runtime/serve.js';
import { registerBodyLogging, registerLogLevelRoutes } from './logging/admin-routes.js';
import { registerCacheMetrics, type CacheResultObserver } from './metrics/cache.js';
import { registerPoolMetrics, startDependencyProbe, type DependencyCheck } from './metrics/dependencies.js';
import { instrumentEventStore } from './metrics/event-store.js';
import { observeExecutionEvents } from './metrics/execution-events.js';
import { httpMetricsPlugin } from './metrics/http.js';
import { registerKafkaMetrics, type ConsumerLagReporter } from './metrics/kafka.js';
import { registerProjectorMetrics, type ProjectionStatusLike } from './metrics/projector.js';
import { createMetricsRegistry } from './metrics/registry.js';
import { createWorkflowMetrics, registerWorkloadMetrics, type WorkflowMetrics, type Workload } from './metrics/workflow.js';
import { startMetricsServer, type MetricsServer } from './server/metrics-server.js';

export interface ObservabilityOptions {
  /** `command-service`, `query-service`, `projector` or `iwf-dev`: the `service` label. */
  readonly service: string;
  readonly config: Pick<Config, 'host' | 'metricsPort' | 'jwt'>;
  readonly logger: Logger;
}

/** One process's metrics and admin surface; each service wires what it has. */
export interface Observability {
  readonly registry: Registry;
  /** Execution, step and approval series; `instrumentStore` feeds them from appended events. */
  readonly workflows: WorkflowMetrics;
  /** For a Kafka consumer to report its lag. */
  readonly kafkaLag: ConsumerLagReporter;
  /** HTTP metrics, `/admin/log-level`, trace-level body logging. Call before routes are added. */
  instrumentApp(app: HttpApp): Promise<void>;
  /**
   * Metrics and spans around every append, each event stamped with the append's traceparent;
   * the execution events appended feed the workflow series.
   */
  instrumentStore(store: EventStore): EventStore;
  watchPool(pool: pg.Pool, name?: string): void;
  /** Cache backend and hit/miss counting; returns the observer for the readers. */
  watchCache(cache: CacheConnection): CacheResultObserver;
  watchProjections(statuses: () => readonly ProjectionStatusLike[]): void;
  /** Executions in progress and pending approvals, from the latest read-model sample. */
  watchWorkload(latest: () => Workload | undefined): void;
  /** Background checks behind `iwf_dependency_up`; close them with the process's resources. */
  probe(checks: Readonly<Record<string, DependencyCheck>>): Closeable;
  /** Serves the metrics port (`METRICS_PORT`); `notReady` makes its `/ready` answer 503 with the reason. */
  listen(notReady?: () => string | undefined): Promise<MetricsServer>;
}

export function createObservability(options: ObservabilityOptions): Observability {
  const registry = createMetricsRegistry(options.service);
  const workflows = createWorkflowMetrics(registry);
  let cacheObserver: CacheResultObserver | undefined;
  return {
    registry,
    workflows,
    kafkaLag: registerKafkaMetrics(registry),
    async instrumentApp(app) {
      await app.register(httpMetricsPlugin, { registry });
      registerLogLevelRoutes(app, options.logger);
      registerBodyLogging(app);
    },
    instrumentStore: (store) =>
      observeExecutionEvents(instrumentEventStore(store, registry), workflows, (error) => options.logger.warn({ err: error }, 'execution metrics')),
    watchPool: (pool, name) => registerPoolMetrics(registry, pool, name),
    watchCache(cache) {
      cacheObserver ??= registerCacheMetrics(registry, cache.cache.kind);
      return cacheObserver;
    },
    watchProjections: (statuses) => registerProjectorMetrics(registry, statuses),
    watchWorkload: (latest) => registerWorkloadMetrics(registry, latest),
    probe: (checks) => startDependencyProbe(registry, checks),
    listen: (notReady) => startMetricsServer({ registry, host: options.config.host, port: options.config.metricsPort, jwt: options.config.jwt, logger: options.logger, notReady }),
  };
}
