import type { HttpApp } from '@iwf/platform/http/app';

/** What a test reads from an injected response (fastify's light-my-request answer). */
export interface Reply {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
  json(): unknown;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Headers = Readonly<Record<string, string>>;

export interface SendOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as is (for malformed or non-JSON bodies); give a content-type header with it. */
  readonly payload?: string | Buffer;
  readonly headers?: Headers;
}

/** A client of the API under `/api/v1`, authenticated with one token (or none). */
export interface ApiClient {
  send(method: Method, path: string, options?: SendOptions): Promise<Reply>;
  get(path: string, headers?: Headers): Promise<Reply>;
  post(path: string, body?: unknown, headers?: Headers): Promise<Reply>;
  put(path: string, body: unknown, headers?: Headers): Promise<Reply>;
  delete(path: string, headers?: Headers): Promise<Reply>;
}

export const API = '/api/v1';

export function apiClient(app: HttpApp, token?: string): ApiClient {
  const send = async (method: Method, path: string, options: SendOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}) };
    let payload: string | Buffer | undefined = options.payload;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    return app.inject({ method, url: `${API}${path}`, headers, ...(payload === undefined ? {} : { payload }) });
  };
  return {
    send,
    get: (path, headers) => send('GET', path, headers ? { headers } : {}),
    post: (path, body, headers) => send('POST', path, { body, ...(headers ? { headers } : {}) }),
    put: (path, body, headers) => send('PUT', path, { body, ...(headers ? { headers } : {}) }),
    delete: (path, headers) => send('DELETE', path, headers ? { headers } : {}),
  };
}

/** The JSON body of a reply, typed loosely for assertions. */
export function bodyOf(reply: Reply): Record<string, unknown> & { items?: Record<string, unknown>[] } {
  return reply.json() as Record<string, unknown> & { items?: Record<string, unknown>[] };
}

/** The body's `position`, which reads pass back as X-Min-Position. */
export function positionOf(reply: Reply): string {
  const position = bodyOf(reply)['position'];
  if (typeof position !== 'string') throw new Error(`no position in ${reply.statusCode} ${reply.body}`);
  return position;
}

/** Headers of a read that waits for a write the client saw answered. */
export const after = (reply: Reply): Headers => ({ 'x-min-position': positionOf(reply) });

/** The problem+json pointers of an error answer, in order. */
export function pointersOf(reply: Reply): string[] {
  const errors = bodyOf(reply)['errors'];
  return Array.isArray(errors) ? errors.map((error) => (error as { pointer: string }).pointer) : [];
}

/** The `field` of each item of a 200 list answer (any other answer fails the test with its body). */
export function itemField(reply: Reply, field: string): unknown[] {
  if (reply.statusCode !== 200) throw new Error(`expected 200, got ${reply.statusCode}: ${reply.body}`);
  return (bodyOf(reply).items ?? []).map((item) => item[field]);
}
