import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorCode, type FieldError } from '@iwf/contracts';

/** RFC 9457 problem details: `type`, `title` and `status` always present. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
}

export const PROBLEM_BASE = 'https://intelligent-workflows.dev/problems/';

const BY_CODE: Record<DomainErrorCode, { status: number; title: string; slug: string }> = {
  validation: { status: 400, title: 'Invalid request', slug: 'invalid-request' },
  unauthenticated: { status: 401, title: 'Authentication required', slug: 'unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden', slug: 'forbidden' },
  not_found: { status: 404, title: 'Not found', slug: 'not-found' },
  conflict: { status: 409, title: 'Conflict', slug: 'conflict' },
  precondition_failed: { status: 412, title: 'Precondition failed', slug: 'precondition-failed' },
  illegal_state: { status: 422, title: 'Not allowed in the current state', slug: 'illegal-state' },
  unavailable: { status: 503, title: 'Service unavailable', slug: 'unavailable' },
};

export function problemFor(error: DomainError, instance?: string): Problem {
  const mapping = BY_CODE[error.code];
  return {
    type: PROBLEM_BASE + (error.problem ?? mapping.slug),
    title: mapping.title,
    status: mapping.status,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
  };
}

// Fastify's own errors for malformed requests, and what each means to a client.
// A 400 names what is wrong with a JSON pointer, like every other 400 ('' is the whole body).
const FRAMEWORK_ERRORS: Record<string, { status: number; title: string; slug: string; pointer?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, title: 'Request body too large', slug: 'body-too-large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', slug: 'unsupported-media-type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, title: 'Invalid content length', slug: 'invalid-request', pointer: '/headers/content-length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, title: 'Empty JSON body', slug: 'invalid-request', pointer: '' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, title: 'Malformed JSON body', slug: 'invalid-request', pointer: '' },
  // Raised by the router, before any route or hook: see `frameworkErrors` in app.ts.
  FST_ERR_BAD_URL: { status: 400, title: 'Malformed URL', slug: 'invalid-request', pointer: '/url' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, title: 'Path parameter too long', slug: 'uri-too-long' },
};

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/** The one error handler: domain errors, request validation, framework errors, and hidden 5xx. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const instance = request.url.split('?')[0];
  if (error instanceof DomainError) {
    if (error.code === 'unavailable') void reply.header('retry-after', '1');
    return sendProblem(reply, problemFor(error, instance));
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const location = fastifyError.validationContext ?? 'body';
    const errors = fastifyError.validation.map((issue) => ({
      pointer: pointerFor(location, issue.instancePath, issue.params),
      message: issue.message ?? 'is invalid',
    }));
    return sendProblem(reply, { type: `${PROBLEM_BASE}invalid-request`, title: 'Invalid request', status: 400, detail: `The ${location} is invalid.`, instance, errors });
  }
  const framework = fastifyError.code ? FRAMEWORK_ERRORS[fastifyError.code] : undefined;
  if (framework) {
    const errors = framework.pointer === undefined ? {} : { errors: [{ pointer: framework.pointer, message: framework.title.toLowerCase() }] };
    return sendProblem(reply, { type: PROBLEM_BASE + framework.slug, title: framework.title, status: framework.status, detail: error.message, instance, ...errors });
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return sendProblem(reply, { type: `${PROBLEM_BASE}invalid-request`, title: 'Invalid request', status, detail: error.message, instance });
  }
  if (isDependencyUnavailable(error)) {
    request.log.error({ err: error }, 'a dependency is unavailable');
    void reply.header('retry-after', '2');
    return sendProblem(reply, { type: `${PROBLEM_BASE}dependency-unavailable`, title: 'Service unavailable', status: 503, detail: 'A dependency is not answering; retry shortly.', instance });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, { type: `${PROBLEM_BASE}internal`, title: 'Internal server error', status: 500, instance });
}

function pointerFor(location: string, instancePath: string, params: Record<string, unknown>): string {
  const missing = typeof params['missingProperty'] === 'string' ? `/${escapePointer(params['missingProperty'])}` : '';
  const extra = typeof params['additionalProperty'] === 'string' ? `/${escapePointer(params['additionalProperty'])}` : '';
  const prefix = location === 'body' ? '' : `/${location}`;
  // RFC 6901: '' is the whole document ('/' would name a member called "").
  return `${prefix}${instancePath}${missing}${extra}`;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, {
    type: `${PROBLEM_BASE}not-found`,
    title: 'Not found',
    status: 404,
    detail: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    instance: request.url.split('?')[0],
  });
}

// Connection-level failures of PostgreSQL or Redis: the request may succeed once they are back.
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57P'];
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [/pool after calling end/i, /connection terminated/i, /timeout exceeded when trying to connect/i, /connection is closed/i];

export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_CLASSES.some((prefix) => code.startsWith(prefix))) return true;
  }
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}
