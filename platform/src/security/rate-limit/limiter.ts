import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_BASE, sendProblem } from '../../http/problem.js';
import type { RateDecision, RateRule } from './gcra.js';
import type { RateLimitStore } from './store.js';

export interface RateLimiterOptions {
  /** Per principal; 0 per second turns rate limiting off. */
  readonly rule: RateRule;
  /** Each client IP gets this many times the principal's rule (many principals may share a NAT). */
  readonly perIpFactor: number;
  readonly store: RateLimitStore;
  readonly logger: FastifyBaseLogger;
  /** A store slower than this is treated as down. */
  readonly timeoutMs?: number;
}

export interface RateLimiter {
  /** Before authentication: floods of bad credentials are limited too. */
  byIp(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  byPrincipal(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  /** `X-RateLimit-*` of the tighter of the request's two buckets. */
  setHeaders(request: FastifyRequest, reply: FastifyReply): void;
}

const LOG_EVERY_MS = 10_000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter | undefined {
  const { rule, perIpFactor, store, logger } = options;
  if (rule.perSecond <= 0) return undefined;
  const ipRule: RateRule = { perSecond: rule.perSecond * perIpFactor, burst: Math.ceil(rule.burst * perIpFactor) };
  const timeoutMs = options.timeoutMs ?? 250;
  const decisions = new WeakMap<FastifyRequest, RateDecision>();
  let loggedAt = Number.NEGATIVE_INFINITY;

  // Fails open: a limiter that cannot count must not take the service down with it.
  const take = async (key: string, keyRule: RateRule): Promise<RateDecision | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`rate limit store slower than ${timeoutMs} ms`)), timeoutMs)));
      return await Promise.race([store.take(key, keyRule), timeout]);
    } catch (error) {
      if (Date.now() - loggedAt > LOG_EVERY_MS) {
        loggedAt = Date.now();
        logger.warn({ err: error, store: store.kind }, 'rate limiting is failing open: the store does not answer');
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const apply = (request: FastifyRequest, reply: FastifyReply, decision: RateDecision | undefined, who: string): FastifyReply | undefined => {
    if (!decision) return undefined;
    const previous = decisions.get(request);
    if (!previous || decision.remaining / decision.limit <= previous.remaining / previous.limit) decisions.set(request, decision);
    if (decision.allowed) return undefined;
    decisions.set(request, decision);
    void reply.header('retry-after', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
    return sendProblem(reply, {
      type: `${PROBLEM_BASE}rate-limited`,
      title: 'Too many requests',
      status: 429,
      detail: `Too many requests from this ${who}; retry after the time in Retry-After.`,
      instance: request.url.split('?')[0],
    });
  };

  return {
    async byIp(request, reply) {
      return apply(request, reply, await take(`ip:${request.ip}`, ipRule), 'address');
    },
    async byPrincipal(request, reply) {
      const principal = request.principal;
      if (!principal) return undefined;
      return apply(request, reply, await take(`p:${principal.tenant}:${principal.actor}`, rule), 'principal');
    },
    setHeaders(request, reply) {
      const decision = decisions.get(request);
      if (!decision) return;
      void reply.header('x-ratelimit-limit', String(decision.limit));
      void reply.header('x-ratelimit-remaining', String(decision.remaining));
      void reply.header('x-ratelimit-reset', String(Math.ceil(decision.resetMs / 1000)));
    },
  };
}
