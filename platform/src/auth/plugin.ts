import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type Principal } from '@iwf/contracts';
import { createBearerVerifier, type BearerVerifier, type JwtSettings } from './jwt.js';
import type { ApiKeyVerifier } from './api-key.js';
import type { Permission } from '../security/permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a principal (health, readiness, docs). */
    public?: boolean;
    /** What a principal needs to call this route (the table in security/permissions.ts). */
    permission?: Permission;
  }
}

export interface AuthOptions {
  readonly jwt: JwtSettings;
  /** Checks `X-API-Key`; without it, API keys are refused. */
  readonly apiKeys?: ApiKeyVerifier | undefined;
}

/** Authenticates every non-public route; the principal is then on `request.principal`. */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, options) => {
    const bearer = createBearerVerifier(options.jwt);
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public || request.routeOptions.url === undefined) return;
      request.principal = await authenticate(request, bearer, options.apiKeys);
    });
  },
  { name: 'iwf-auth' },
);

async function authenticate(request: FastifyRequest, bearer: BearerVerifier, apiKeys: ApiKeyVerifier | undefined): Promise<Principal> {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (apiKey !== undefined) {
    // Two credentials could name two principals; neither is picked silently.
    if (header !== undefined) throw new DomainError('unauthenticated', 'Send either a bearer token or an X-API-Key, not both.');
    if (typeof apiKey !== 'string' || apiKey === '') throw new DomainError('unauthenticated', 'Send one X-API-Key header.', [], 'invalid-api-key');
    if (!apiKeys) throw new DomainError('unauthenticated', 'API keys are not accepted by this service.', [], 'invalid-api-key');
    return apiKeys(apiKey);
  }
  if (!header) throw new DomainError('unauthenticated', 'Send a bearer token in the Authorization header, or an X-API-Key.');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new DomainError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
  return bearer(match[1]);
}

/** The principal of an authenticated route (the auth hook guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthenticated', 'Authentication required.');
  return request.principal;
}
