import { loadConfig } from '@iwf/platform/config/config';
import { createLogger } from '@iwf/platform/logging/logger';
import { serve, shutdown, type Closeable } from '@iwf/platform/runtime/serve';
import type { Observability } from '@iwf/platform/observability/service';
import type { MetricsServer } from '@iwf/platform/observability/server/metrics-server';
import { startTracing } from '@iwf/platform/observability/tracing/tracing';
import type { Logger } from 'pino';
import { SERVICE_VERSION } from '@iwf/command-service';
import { buildAllInOne } from '../runtime/all-in-one.js';
import { parseOptions, type CliCommand } from './command.js';

export const devCommand: CliCommand = {
  name: 'dev',
  summary: 'Run command, query and projector roles in one process on one port',
  usage: `Usage: iwf dev [--port N] [--host H]

Starts the whole system against DATABASE_URL (created when missing) and REDIS_URL (an
in-process cache is used when no Redis answers), applies migrations, and serves both route
sets on one port (SERVER_PORT, default 8080). Stops cleanly on SIGINT/SIGTERM.`,
  async run(args) {
    const { values } = parseOptions(args, { port: { type: 'string' }, host: { type: 'string' } });
    const config = loadConfig({ ...process.env, ...(values.port ? { SERVER_PORT: values.port } : {}), ...(values.host ? { HOST: values.host } : {}) });
    const tracing = startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName ?? 'iwf-dev', serviceVersion: SERVICE_VERSION, sampleRatio: config.otel.sampleRatio });
    const logger = createLogger({ level: config.logLevel, name: 'iwf-dev', format: config.logFormat });
    const built = await buildAllInOne(config, logger);
    const { app, observability } = built;
    // Closed in reverse: the metrics port first, the span exporter last.
    const resources: Closeable[] = [{ name: 'tracing', close: () => tracing.shutdown() }, ...built.resources];
    try {
      const metrics = await listenForMetrics(observability, logger, config.metricsPort);
      if (metrics) resources.push(metrics);
      const address = await serve(app, { host: config.host, port: config.port, logger, resources });
      logger.info({ address, docs: `${address}/api/v1/docs`, metrics: metrics ? `${metrics.address}/metrics` : null }, 'iwf dev is ready');
    } catch (error) {
      await shutdown(app, resources, logger);
      throw error;
    }
    // Runs until a signal; serve() exits the process after a clean shutdown.
    return new Promise<number>(() => undefined);
  },
};

/** On a developer's machine a busy metrics port (another process, a local Prometheus) only costs the metrics. */
async function listenForMetrics(observability: Observability, logger: Logger, port: number): Promise<MetricsServer | undefined> {
  try {
    return await observability.listen();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    logger.warn({ port }, 'metrics port in use: metrics are not served (set METRICS_PORT, 0 for any free port)');
    return undefined;
  }
}
