import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type Principal } from '@iwf/contracts';
import { verifyBearer, type JwtSettings } from './jwt.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a principal (health, readiness, docs). */
    public?: boolean;
  }
}

/** Authenticates every non-public route; the principal is then on `request.principal`. */
export const authPlugin = fp<{ jwt: JwtSettings }>(
  async (app: FastifyInstance, options) => {
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public || request.routeOptions.url === undefined) return;
      request.principal = await authenticate(request, options.jwt);
    });
  },
  { name: 'iwf-auth' },
);

async function authenticate(request: FastifyRequest, jwt: JwtSettings): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) throw new DomainError('unauthenticated', 'Send a bearer token in the Authorization header.');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new DomainError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
  return verifyBearer(match[1], jwt);
}

/** The principal of an authenticated route (the auth hook guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthenticated', 'Authentication required.');
  return request.principal;
}
