import type { FastifyReply, FastifyRequest } from 'fastify';

// An API answers JSON: nothing in it should ever be framed, sniffed or run as a page.
const API_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

// The interactive docs are a page with their own scripts and styles.
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const EXPOSED = ['etag', 'location', 'retry-after', 'x-log-position', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'if-match',
  'idempotency-key',
  'x-min-position',
  'x-max-wait-ms',
  'x-correlation-id',
  'x-request-id',
  'traceparent',
];

export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(API_HEADERS)) if (!reply.hasHeader(name)) void reply.header(name, value);
  if (request.url.startsWith('/api/v1/docs')) void reply.header('content-security-policy', DOCS_CSP);
  // Tenant data must not linger in shared caches or browser history.
  else if (!request.routeOptions.config.public && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
}

/**
 * CORS for browser clients of the origins in ALLOWED_ORIGINS (`*`: any). No cookies are
 * involved (credentials are headers the client sets), so credentials mode is never allowed.
 */
export interface Cors {
  /** Answers a preflight (OPTIONS with Access-Control-Request-Method); undefined otherwise. */
  preflight(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined;
  decorate(request: FastifyRequest, reply: FastifyReply): void;
}

export function createCors(allowedOrigins: readonly string[]): Cors {
  const any = allowedOrigins.includes('*');
  const allowed = (origin: string | undefined): origin is string => origin !== undefined && (any || allowedOrigins.includes(origin));
  const originOf = (request: FastifyRequest): string | undefined => {
    const origin = request.headers.origin;
    return typeof origin === 'string' ? origin : undefined;
  };
  return {
    preflight(request, reply) {
      if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return undefined;
      const origin = originOf(request);
      void reply.header('vary', 'Origin');
      // An origin not allowed gets no CORS headers: the browser then refuses the request itself.
      if (allowed(origin)) {
        void reply.header('access-control-allow-origin', any ? '*' : origin);
        void reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE');
        void reply.header('access-control-allow-headers', ALLOWED_HEADERS.join(', '));
        void reply.header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    },
    decorate(request, reply) {
      const origin = originOf(request);
      if (origin === undefined) return;
      void reply.header('vary', 'Origin');
      if (!allowed(origin)) return;
      void reply.header('access-control-allow-origin', any ? '*' : origin);
      void reply.header('access-control-expose-headers', EXPOSED.join(', '));
    },
  };
}
