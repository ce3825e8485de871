import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '@iwf/contracts';
import { authPlugin } from '../auth/plugin.js';
import type { ApiKeyVerifier } from '../auth/api-key.js';
import type { JwtSettings } from '../auth/jwt.js';
import type { SecurityConfig } from './config.js';
import { denialOf, type DenialRecorder } from './denials.js';
import { createCors, setSecurityHeaders } from './headers.js';
import { bodyProblem } from './json-depth.js';
import type { BodyProblem } from './json-depth.js';
import { isAllowed, isPermission, rolesFor } from './permissions.js';
import { createRateLimiter } from './rate-limit/limiter.js';
import { createMemoryRateLimitStore, type RateLimitStore } from './rate-limit/store.js';
import { recordRoutes } from './route-table.js';

export interface SecurityOptions {
  readonly jwt: JwtSettings;
  readonly config: SecurityConfig;
  readonly apiKeys?: ApiKeyVerifier | undefined;
  /** Records 403s as events; without it they are only logged. */
  readonly onDenied?: DenialRecorder | undefined;
  /** Shared buckets (Redis) so limits hold across replicas; in-process ones otherwise. */
  readonly rateLimitStore?: RateLimitStore | undefined;
}

/**
 * Everything a request passes before its handler, in order: CORS preflight, per-IP rate limit,
 * authentication (bearer JWT or X-API-Key), per-principal rate limit, the route's permission,
 * JSON depth; and on the way out security headers, CORS, X-RateLimit-* and denial audit.
 */
export const securityPlugin = fp<SecurityOptions>(
  async (app: FastifyInstance, options) => {
    const cors = createCors(options.config.allowedOrigins);
    const store = options.rateLimitStore ?? createMemoryRateLimitStore();
    const { requestsPerSecond, burst, perIpFactor } = options.config.rateLimit;
    const limiter = createRateLimiter({ rule: { perSecond: requestsPerSecond, burst }, perIpFactor, store, logger: app.log });
    if (limiter && store.kind === 'memory') app.log.warn('rate limits are counted per process: no shared store (Redis)');
    const guarded = (request: FastifyRequest): boolean => !request.routeOptions.config.public;
    recordRoutes(app);

    app.addHook('onRequest', async (request, reply) => {
      const answered = cors.preflight(request, reply);
      if (answered) return answered;
      if (limiter && guarded(request)) return limiter.byIp(request, reply);
      return undefined;
    });
    await app.register(authPlugin, { jwt: options.jwt, apiKeys: options.apiKeys });
    app.addHook('onRequest', async (request, reply) => {
      if (!guarded(request) || request.routeOptions.url === undefined) return undefined;
      const limited = await limiter?.byPrincipal(request, reply);
      if (limited) return limited;
      authorize(request);
      return undefined;
    });
    app.addHook('preValidation', async (request) => rejectHostileInput(request, options.config.maxJsonDepth));
    app.addHook('onSend', async (request, reply, payload) => {
      setSecurityHeaders(request, reply);
      cors.decorate(request, reply);
      limiter?.setHeaders(request, reply);
      const denial = denialOf(request, reply, payload);
      if (denial) {
        request.log.info({ actor: denial.actor, action: denial.action, route: denial.route }, 'access denied');
        // The 403 stands even if the audit append fails; the failure is logged loudly.
        await options.onDenied?.(denial).catch((error: unknown) => request.log.error({ err: error }, 'recording an access denial failed'));
      }
      return payload;
    });
  },
  { name: 'iwf-security' },
);

/** The route's permission against the principal's roles; a route without one is refused. */
function authorize(request: FastifyRequest): void {
  const principal = request.principal;
  if (!principal) throw new DomainError('unauthenticated', 'Authentication required.');
  const permission = request.routeOptions.config.permission;
  if (!isPermission(permission)) {
    request.log.error({ route: request.routeOptions.url, method: request.method }, 'route has no permission rule: refused');
    throw new DomainError('forbidden', 'This route has no authorization rule yet, so nobody may call it.', [], 'forbidden');
  }
  if (!isAllowed(principal, permission)) {
    throw new DomainError('forbidden', `This needs the ${permission} permission, which the roles ${rolesFor(permission).join(', ')} have.`, [], 'forbidden');
  }
}

const UNSTORABLE: Record<Exclude<BodyProblem, 'too-deep'>, string> = {
  nul: 'holds a NUL character (\\u0000)',
  'lone-surrogate': 'holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair)',
  'not-finite': 'holds a number too large to store (it overflows to infinity)',
};

/** Bodies nested too deep, and characters (NUL, lone surrogates) or numbers (past a double's range) PostgreSQL cannot store anywhere, are 400s. */
function rejectHostileInput(request: FastifyRequest, maxDepth: number): void {
  for (const [location, value] of [['params', request.params], ['querystring', request.query]] as const) {
    const problem = bodyProblem(value, 8);
    if (problem && problem !== 'too-deep') throw new DomainError('validation', `The ${location} ${UNSTORABLE[problem]}.`, [{ pointer: `/${location}`, message: UNSTORABLE[problem] }]);
  }
  if (request.body === undefined) return;
  const problem = bodyProblem(request.body, maxDepth);
  if (problem === 'too-deep') {
    throw new DomainError('validation', `The body nests deeper than ${maxDepth} levels.`, [{ pointer: '', message: 'nests too deep' }], 'too-deep');
  }
  if (problem) throw new DomainError('validation', `The body ${UNSTORABLE[problem]}.`, [{ pointer: '', message: UNSTORABLE[problem] }]);
}
