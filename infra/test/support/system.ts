import { mintToken } from '@iwf/platform/auth/jwt';
import { freePort, start, ROOT, type Started } from './processes.js';

export const JWT_SECRET = 'iwf-infra-test-secret-0123456789abcdefghij';

export interface Services {
  readonly command: string;
  readonly query: string;
  readonly projectorMetrics: string;
  readonly processes: readonly Started[];
  stop(): Promise<void>;
}

export function serviceEnv(databaseUrl: string, redisUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    APP_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    ...extra,
  };
}

/**
 * The three services as separate processes from their built entry points, as the images run
 * them: the projector and the command service together, the query service once the projector
 * has created the read-model tables it reads.
 */
export async function startServices(databaseUrl: string, redisUrl: string, extra: NodeJS.ProcessEnv = {}): Promise<Services> {
  const processes: Started[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(processes.map((process) => process.stop()));
  };
  const service = async (name: 'command-service' | 'query-service'): Promise<string> => {
    const port = await freePort();
    processes.push(
      await start({
        name,
        command: process.execPath,
        args: [`${ROOT}${name}/dist/main.js`],
        env: serviceEnv(databaseUrl, redisUrl, { ...extra, SERVER_PORT: String(port), METRICS_PORT: String(await freePort()) }),
        readyUrl: `http://127.0.0.1:${port}/ready`,
      }),
    );
    return `http://127.0.0.1:${port}`;
  };
  const projector = async (): Promise<string> => {
    const metrics = `http://127.0.0.1:${await freePort()}`;
    processes.push(
      await start({
        name: 'projector',
        command: process.execPath,
        args: [`${ROOT}projector/dist/main.js`],
        env: serviceEnv(databaseUrl, redisUrl, { ...extra, METRICS_PORT: new URL(metrics).port }),
        readyUrl: `${metrics}/health`,
      }),
    );
    return metrics;
  };
  try {
    const [projectorMetrics, command] = await Promise.all([projector(), service('command-service')]);
    const query = await service('query-service');
    return { command, query, projectorMetrics, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A bearer token as `iwf token` mints it, signed with the services' secret. */
export function token(tenant: string, roles: readonly string[] = ['admin']): Promise<string> {
  return mintToken(JWT_SECRET, { actor: 'user:infra-test', tenant, roles });
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** One JSON request; the body of any answer is parsed (problem documents included). */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body: options.body === undefined ? null : JSON.stringify(options.body) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the raw text is the body.
  }
  return { status: response.status, headers: response.headers, body: body as T };
}
