import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyRequest {
    metricsStartedAt: bigint | undefined;
  }
}

export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Route label for requests that matched no route: the raw URL would make unbounded series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The seed's HTTP series: `http_requests_total{method,route,status}` and
 * `http_request_duration_seconds` labelled with the route template, and
 * `http_active_connections` (open sockets on the API port).
 */
export const httpMetricsPlugin = fp<{ registry: Registry }>(
  async (app: FastifyInstance, { registry }) => {
    const labelNames = ['method', 'route', 'status'] as const;
    const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response',
      labelNames,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    });
    let open = 0;
    new Gauge({
      name: 'http_active_connections',
      help: 'Open client connections on the API port',
      registers: [registry],
      collect() {
        this.set(open);
      },
    });
    app.server.on('connection', (socket) => {
      open += 1;
      socket.once('close', () => (open -= 1));
    });
    app.decorateRequest('metricsStartedAt', undefined);
    app.addHook('onRequest', async (request) => {
      request.metricsStartedAt = process.hrtime.bigint();
    });
    app.addHook('onResponse', async (request, reply) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: String(reply.statusCode) };
      requests.inc(labels);
      if (request.metricsStartedAt !== undefined) duration.observe(labels, Number(process.hrtime.bigint() - request.metricsStartedAt) / 1e9);
    });
  },
  { name: 'iwf-http-metrics' },
);
