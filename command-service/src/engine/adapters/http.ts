import type { ExecutionError } from '@iwf/contracts';

export interface OutboundRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface HttpSettings {
  readonly hostMap: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
  readonly responseLimitBytes: number;
  /** The outbound policy's fetch (checks every hop's address); plain fetch without one. */
  readonly fetch?: ((url: URL, init: RequestInit) => Promise<Response>) | undefined;
}

export type HttpOutcome =
  | { readonly ok: true; readonly status: number; readonly body: unknown; readonly truncated: boolean }
  | { readonly ok: false; readonly error: ExecutionError; readonly body?: unknown };

/**
 * `https://fraud-api.example.com/check` goes to `http://127.0.0.1:4010/check` when the host
 * map says so: definitions keep their real URLs while a deployment (or a test) points them
 * at a gateway or a local receiver.
 */
export function rewriteUrl(url: URL, hostMap: ReadonlyMap<string, string>): URL {
  const target = hostMap.get(url.host.toLowerCase()) ?? hostMap.get(url.hostname.toLowerCase());
  if (target === undefined) return url;
  return new URL(`${target}${url.pathname}${url.search}`);
}

/** Where a request went, for messages: scheme, host and path, never the query or credentials. */
export const describeUrl = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`;

/**
 * How long a call may take: until the step's deadline when it has one, however far off (the
 * step's `timeout` is the author's word), else the default (`ENGINE_HTTP_TIMEOUT_MS`).
 * Zero or less means the deadline has passed.
 */
export const callTimeoutMs = (deadline: Date | null, defaultMs: number): number => (deadline === null ? defaultMs : deadline.getTime() - Date.now());

/**
 * Sends one request. Aborted at the deadline (or, without one, after the default timeout); the answer is
 * read up to the limit and parsed as JSON when it says it is JSON and arrived whole.
 * 2xx and 3xx answers complete; 4xx and 5xx are failures classified for retry policies.
 */
export async function sendHttp(request: OutboundRequest, deadline: Date | null, extraHeaders: Readonly<Record<string, string>>, settings: HttpSettings): Promise<HttpOutcome> {
  let url: URL;
  try {
    url = rewriteUrl(new URL(request.url), settings.hostMap);
  } catch {
    return { ok: false, error: { kind: 'invalid', message: 'the request URL is not a valid absolute URL' } };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: { kind: 'invalid', message: `unsupported URL scheme ${url.protocol}` } };
  const method = request.method.toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD' && request.body !== null && request.body !== undefined;
  const headers: Record<string, string> = { ...request.headers, ...extraHeaders };
  if (hasBody && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const remaining = callTimeoutMs(deadline, settings.timeoutMs);
  if (remaining <= 0) return { ok: false, error: { kind: 'timeout', message: `${method} ${describeUrl(url)}: the step's deadline had passed` } };
  const signal = AbortSignal.timeout(remaining);
  try {
    const response = await (settings.fetch ?? fetch)(url, {
      method,
      headers,
      body: hasBody ? (typeof request.body === 'string' ? request.body : JSON.stringify(request.body)) : undefined,
      signal,
      redirect: 'follow',
    });
    const { text, truncated } = await readBounded(response, settings.responseLimitBytes);
    const body = parseBody(text, truncated, response.headers.get('content-type'));
    if (response.status >= 200 && response.status < 400) return { ok: true, status: response.status, body, truncated };
    const kind = response.status >= 500 ? 'http_5xx' : 'http_4xx';
    return { ok: false, error: { kind, status: response.status, message: `${method} ${describeUrl(url)} answered ${response.status}` }, body };
  } catch (error) {
    // Refused by the outbound policy: sending it again would be refused again.
    if (isDenied(error)) return { ok: false, error: { kind: 'invalid', message: `${method} refused by the outbound policy: ${error.message}` } };
    if (signal.aborted) return { ok: false, error: { kind: 'timeout', message: `${method} ${describeUrl(url)} did not answer within ${remaining} ms` } };
    return { ok: false, error: { kind: 'network', message: `${method} ${describeUrl(url)} failed: ${causeOf(error)}` } };
  }
}

async function readBounded(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  // Leaving the loop early cancels the stream, so a huge answer is never read in full.
  for await (const value of response.body as AsyncIterable<Uint8Array>) {
    const room = limit - size;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      truncated = true;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function parseBody(raw: string, truncated: boolean, contentType: string | null): unknown {
  if (raw === '') return null;
  const text = storableText(raw);
  if (truncated || contentType === null || !/[/+]json\b/i.test(contentType)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return text;
  }
  const storable = storableJson(parsed);
  return storable === undefined ? text : storable;
}

/**
 * An answer is recorded in the log, and nothing there (the event store, the jsonb read models)
 * can hold a NUL character or a lone UTF-16 surrogate: an odd answer would fail the append that
 * records it, again at every retry. They become U+FFFD, as undecodable bytes already do.
 */
const storableText = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text).toWellFormed();

/**
 * Deeper JSON answers are kept as their text: recording them would overflow the stack of
 * every JSON.stringify on the way to the log, and PostgreSQL's JSON parser has a depth limit
 * too. Request bodies have the same default limit (`MAX_JSON_DEPTH`).
 */
export const ANSWER_DEPTH_LIMIT = 64;

/**
 * The parsed answer with every string and key made storable, or undefined when it nests deeper
 * than the limit (the top level is depth 1) or when a key made storable would take the place of
 * another key of its object. Walks with its own stack, so no depth overflows it.
 */
function storableJson(root: unknown): unknown {
  const holder: unknown[] = [root];
  const stack: [object, number][] = [[holder, 0]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (depth > ANSWER_DEPTH_LIMIT) return undefined;
    const entries = node as Record<string, unknown>;
    for (const key of Object.keys(entries)) {
      const value = entries[key];
      const fixed = typeof value === 'string' ? storableText(value) : value;
      const fixedKey = Array.isArray(node) ? key : storableText(key);
      if (fixedKey !== key && Object.hasOwn(entries, fixedKey)) return undefined;
      if (fixedKey !== key) delete entries[key];
      // Defined, not assigned: an answer's own "__proto__" key stays a key.
      if (fixedKey !== key || fixed !== value) Object.defineProperty(entries, fixedKey, { value: fixed, enumerable: true, writable: true, configurable: true });
      if (typeof fixed === 'object' && fixed !== null) stack.push([fixed, depth + 1]);
    }
  }
  return holder[0];
}

const isDenied = (error: unknown): error is Error => error instanceof Error && (error as { code?: unknown }).code === 'OUTBOUND_DENIED';

/** The network-level reason (ECONNREFUSED, ENOTFOUND...) without the request itself. */
function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause).code) : undefined;
  return code ?? (cause instanceof Error ? cause.message : 'unknown error');
}
