import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { DomainError } from '@iwf/contracts';
import type { JwtSettings } from '../../auth/jwt.js';
import { problemFor, PROBLEM_BASE } from '../../http/problem.js';
import { authenticateAdmin } from './admin-auth.js';
import { CpuProfiler, heapSnapshot, MAX_PROFILE_SECONDS } from './profiling.js';

export interface MetricsServerOptions {
  readonly registry: Registry;
  readonly host: string;
  readonly port: number;
  readonly jwt: JwtSettings;
  readonly logger: Logger;
  /** Why this process should get no traffic or stay out of a rollout (`/ready` answers 503); undefined when ready. */
  readonly notReady?: () => string | undefined;
}

export interface MetricsServer {
  readonly name: string;
  /** `http://host:port` actually bound (port 0 picks a free one). */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * The metrics port, apart from the API: `/metrics` for Prometheus, `/health` (the process
 * answers), `/ready` (and is fit to take over from the processes it replaces), and the
 * admin-only profiling routes `/debug/pprof/profile?seconds=N` and `/debug/pprof/heap`.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const profiler = new CpuProfiler();
  const server = createServer((request, response) => {
    route(request, response, options, profiler).catch((error: unknown) => fail(response, error, options.logger));
  });
  await listen(server, options.host, options.port);
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  options.logger.info({ address: url }, 'metrics server listening');
  return {
    name: 'metrics server',
    address: url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(request: IncomingMessage, response: ServerResponse, options: MetricsServerOptions, profiler: CpuProfiler): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://metrics');
  if (request.method !== 'GET') throw new DomainError('not_found', 'The metrics port answers GET only.');
  switch (url.pathname) {
    case '/metrics': {
      const body = await options.registry.metrics();
      response.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
      return;
    }
    case '/health':
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    case '/ready': {
      const reason = options.notReady?.();
      if (reason === undefined) response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      else response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'not_ready', reason }));
      return;
    }
    case '/debug/pprof/profile': {
      await authenticateAdmin(request, options.jwt);
      const seconds = profileSeconds(url.searchParams.get('seconds'));
      if (profiler.running) throw new DomainError('conflict', 'A CPU profile is already being taken; try again when it ends.');
      const aborted = new AbortController();
      response.once('close', () => aborted.abort());
      options.logger.info({ seconds }, 'CPU profile started');
      const profile = await profiler.profile(seconds, aborted.signal);
      response.writeHead(200, { 'content-type': 'application/json', 'content-disposition': `attachment; filename="cpu-${Date.now()}.cpuprofile"` }).end(profile);
      return;
    }
    case '/debug/pprof/heap':
      await authenticateAdmin(request, options.jwt);
      options.logger.info('heap snapshot started');
      response.writeHead(200, { 'content-type': 'application/json', 'content-disposition': `attachment; filename="heap-${Date.now()}.heapsnapshot"` });
      await pipeline(heapSnapshot(), response);
      return;
    default:
      throw new DomainError('not_found', `Nothing at ${url.pathname} on the metrics port.`);
  }
}

function profileSeconds(raw: string | null): number {
  if (raw === null) return 30;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_PROFILE_SECONDS) {
    throw new DomainError('validation', `seconds must be a number above 0 and at most ${MAX_PROFILE_SECONDS}.`, [{ pointer: '/query/seconds', message: 'out of range' }]);
  }
  return seconds;
}

function fail(response: ServerResponse, error: unknown, logger: Logger): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const problem = error instanceof DomainError ? problemFor(error) : { type: `${PROBLEM_BASE}internal`, title: 'Internal server error', status: 500 };
  if (!(error instanceof DomainError)) logger.error({ err: error }, 'metrics server error');
  response.writeHead(problem.status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
