import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config/config.js';
import type { HttpApp } from '../http/app.js';
import { createLogger } from '../logging/logger.js';
import type { MetricsServer } from '../observability/server/metrics-server.js';
import { createObservability, type Observability } from '../observability/service.js';
import { startTracing } from '../observability/tracing/tracing.js';
import { closeInReverse, serve, type Closeable } from './serve.js';

export interface ServiceIdentity {
  /** Names the process in logs, metrics, traces and its fatal line, e.g. `command-service`. */
  readonly name: string;
  readonly version: string;
}

export interface ServiceContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly observability: Observability;
  /** Closes `resource` at shutdown, or when the start fails after this call; last owned, first closed. */
  readonly own: <T extends Closeable>(resource: T) => T;
}

/** Opens what one service needs, owning each thing right after it opens, and builds its HTTP app. */
export type ComposeService = (context: ServiceContext) => Promise<HttpApp>;

/** A service's process main: a start that fails exits 1 with `<name>: <message>` on stderr. */
export function runService(identity: ServiceIdentity, compose: ComposeService): void {
  startService(identity, compose).catch((error: unknown) => {
    process.stderr.write(`${identity.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/**
 * Starts tracing, the logger and the metrics registry, composes the service, opens the metrics
 * port, then serves the API and logs `<name in words> listening`. From then on `serve` owns the
 * process: a signal closes the API, the owned resources in reverse, the metrics port, tracing.
 * A start that fails closes what it had opened in that same order, then rethrows.
 */
export async function startService(identity: ServiceIdentity, compose: ComposeService, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadConfig(env);
  const tracing = startTracing({ endpoint: config.otel.endpoint, serviceName: config.otel.serviceName ?? identity.name, serviceVersion: identity.version, sampleRatio: config.otel.sampleRatio });
  const logger = createLogger({ level: config.logLevel, name: identity.name, format: config.logFormat });
  const observability = createObservability({ service: identity.name, config, logger });
  const owned: Closeable[] = [];
  let metrics: MetricsServer | undefined;
  // Listed in opening order but for the metrics port, which outlives what the service owns.
  const resources = (): Closeable[] => [{ name: 'tracing', close: () => tracing.shutdown() }, ...(metrics ? [metrics] : []), ...owned];
  let app: HttpApp | undefined;
  try {
    const own = <T extends Closeable>(resource: T): T => {
      owned.push(resource);
      return resource;
    };
    app = await compose({ config, logger, observability, own });
    metrics = await observability.listen();
    const address = await serve(app, { host: config.host, port: config.port, logger, resources: resources() });
    logger.info({ address }, `${identity.name.replaceAll('-', ' ')} listening`);
    return address;
  } catch (error) {
    await closeInReverse([...resources(), { name: 'http', close: async () => void (await app?.close()) }], logger);
    throw error;
  }
}
