import { createRequire } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TraceIdRatioBasedSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off when undefined. */
  readonly endpoint: string | undefined;
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** Fraction of new traces sampled; a sampled parent is always followed. */
  readonly sampleRatio?: number;
  /** Export delay; tests shorten it. */
  readonly exportDelayMs?: number;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/**
 * Starts the OpenTelemetry SDK: HTTP server and client, pg and ioredis spans, exported as
 * OTLP JSON over HTTP (Kafka's spans come from messaging.ts, where the relay and the consumer
 * call it). Without an endpoint nothing starts and the API's no-op tracer answers.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!options.endpoint) return OFF;
  // The SDK would otherwise also start OTLP metric and log exporters; metrics go to Prometheus.
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs ?? 2_000 })],
    instrumentations: [
      // Probes and scrapes would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(health|ready|metrics)\b/.test(request.url ?? '') }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  patchLoadedModules();
  let stopped: Promise<void> | undefined;
  return { enabled: true, shutdown: () => (stopped ??= sdk.shutdown()) };
}

/**
 * ES modules that import these CommonJS packages bypass the require hook the instrumentations
 * listen on, and may have loaded them before the SDK started. Requiring them here lets each
 * instrumentation patch the shared prototypes, whatever the import order was.
 */
function patchLoadedModules(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  require('pg/lib/client.js');
  createRequire(require.resolve('pg'))('pg-pool');
  require('ioredis');
}
