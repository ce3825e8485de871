import AjvCompiler from '@fastify/ajv-compiler';
import { Type } from '@sinclair/typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config.js';
import type { ApiKeyVerifier } from '../auth/api-key.js';
import type { DenialRecorder } from '../security/denials.js';
import { securityPlugin } from '../security/plugin.js';
import type { RateLimitStore } from '../security/rate-limit/store.js';
import { handleError, notFoundHandler } from './problem.js';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpAppOptions {
  readonly config: Pick<Config, 'bodyLimitBytes' | 'jwt' | 'requestTimeoutMs' | 'security'>;
  readonly logger: FastifyBaseLogger | boolean;
  /** API key checks, denial audit and the shared rate-limit store (platform/src/security). */
  readonly security?: {
    readonly apiKeys?: ApiKeyVerifier | undefined;
    readonly onDenied?: DenialRecorder | undefined;
    readonly rateLimitStore?: RateLimitStore | undefined;
  };
}

/**
 * What a client-chosen id (X-Request-Id, X-Correlation-Id) may look like. The request id names
 * the request in logs and in the answer, and becomes its events' causation id, so anything
 * else (spaces, control characters, kilobytes of text) is replaced by a fresh UUID.
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function clientRequestId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CLIENT_ID_PATTERN.test(value) ? value : undefined;
}

/** Longest path parameter the router accepts, in characters as sent. */
export const MAX_PARAM_LENGTH = 1_024;

// Headers whose values must never reach a log line.
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];

/** A fastify instance with our conventions: TypeBox schemas, strict validation, problem+json errors, auth. */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: typeof options.logger === 'object' ? options.logger : undefined,
    logger: typeof options.logger === 'boolean' ? options.logger : undefined,
    bodyLimit: options.config.bodyLimitBytes,
    requestTimeout: options.config.requestTimeoutMs,
    // The id is ours to choose (genReqId): a client's X-Request-Id is taken only if it is sane.
    requestIdHeader: false,
    trustProxy: options.config.security.trustProxy,
    genReqId: (request) => clientRequestId(request.headers['x-request-id']) ?? crypto.randomUUID(),
    // Above every id a schema allows (stream ids up to 300 characters), percent-encoded; the
    // route's schema then answers a long one with a 400 that names it.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A malformed or overlong URL is refused by the router itself: as problem+json too.
    frameworkErrors: (error, request, reply) => void handleError(error, request, reply),
    ajv: {
      customOptions: {
        // Unknown fields are rejected where schemas forbid them, never silently dropped.
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
      },
    },
    // Query strings, path parameters and headers arrive as text, so they are coerced to the
    // schema's types ('2' to 2, a lone value to an array). A JSON body already has types: a
    // number where a string belongs is the client's mistake, a 400, not "123".
    schemaController: {
      compilersFactory: {
        buildValidator: (externalSchemas, options) => {
          const coercing = AjvCompiler()(externalSchemas, options);
          const exactOptions = { ...options, mode: undefined, customOptions: { ...options?.customOptions, coerceTypes: false } };
          const exact = AjvCompiler()(externalSchemas, exactOptions);
          return (route) => (route.httpPart === 'body' ? exact(route) : coercing(route));
        },
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // JSON everywhere: fastify's built-in text/plain parser would hand a string to the routes
  // (a 400 from schema validation) where the answer is 415 unsupported media type.
  app.removeContentTypeParser('text/plain');
  // A write names every query parameter it takes, and nothing else passes: an unknown one (a
  // misspelt `wait`) is a 400, as on reads, rather than a request that quietly does otherwise.
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().every((method) => method === 'GET' || method === 'HEAD')) return;
    route.schema ??= {};
    route.schema.querystring ??= Type.Object({}, { additionalProperties: false });
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  await app.register(securityPlugin, { jwt: options.config.jwt, config: options.config.security, ...options.security });
  return app;
}
