import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { DomainError, streamId } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import { hashApiKey, newApiKey } from '@iwf/platform/auth/api-key';
import type { HttpApp } from '@iwf/platform/http/app';
import { setLogPosition } from '@iwf/platform/http/positions';
import { commandContext } from '../command-handling/context.js';
import { handleCommand } from '../command-handling/handle-command.js';
import type { CommandServiceDeps } from '../deps.js';
import { eventMetadataFor, ifMatchRevision } from '../http/request-context.js';
import { ProblemResponses } from '../http/schemas.js';
import { apiKeyDecider, type ApiKeyCommand } from './domain/decider.js';

const DAY_MS = 86_400_000;
const DEFAULT_LIFETIME_DAYS = 90;
const MAX_LIFETIME_DAYS = 730;

const Role = Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$' });
const IssueBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'What the key is for, e.g. "storefront ingest".' }),
    roles: Type.Array(Role, { minItems: 1, maxItems: 32, uniqueItems: true, description: 'The roles (scopes) requests with this key have.' }),
    expires_at: Type.Optional(Type.String({ format: 'date-time', description: `Default: ${DEFAULT_LIFETIME_DAYS} days from now; at most ${MAX_LIFETIME_DAYS}.` })),
  },
  { additionalProperties: false },
);
const RevokeBody = Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }), Type.Null()]);
const KeyParams = Type.Object({ key_id: Type.String({ maxLength: 128 }) });
const Issued = Type.Object({
  key_id: Type.String(),
  key: Type.String({ description: 'Send as X-API-Key. Shown only in this answer: only its hash is kept.' }),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  expires_at: Type.String(),
  revision: Type.Integer(),
  position: Type.Union([Type.String(), Type.Null()]),
});
const Revoked = Type.Object({ key_id: Type.String(), status: Type.Literal('revoked'), revision: Type.Integer(), position: Type.Union([Type.String(), Type.Null()]) });

/**
 * Issue and revoke API keys (admins). The issuing answer holds the only copy of the key, so
 * it refuses Idempotency-Key: a stored answer would be a second copy of the secret.
 */
export function registerApiKeyRoutes(app: HttpApp, deps: CommandServiceDeps): void {
  const tags = ['api-keys'];
  const config = { permission: 'api-keys:manage' } as const;
  const run = async (request: FastifyRequest, keyId: string, command: ApiKeyCommand) =>
    handleCommand(commandContext(deps, eventMetadataFor(request)), apiKeyDecider, {
      streamId: streamId('api_key', principalOf(request).tenant, keyId),
      command,
      ifMatch: ifMatchRevision(request),
    });

  app.post(
    '/api/v1/api-keys',
    {
      config,
      onRequest: refuseIdempotencyKey,
      schema: { tags, summary: 'Issue an API key (shown once)', body: IssueBody, response: { 201: Issued, ...ProblemResponses } },
    },
    async (request, reply) => {
      const now = deps.clock();
      const { name, roles } = request.body;
      const expiresAt = expiryOf(request.body.expires_at, now);
      const { key, keyId } = newApiKey(principalOf(request).tenant);
      const data = { key_id: keyId, name, roles, expires_at: expiresAt, key_hash: hashApiKey(key), now: now.toISOString() };
      const outcome = await run(request, keyId, { type: 'IssueApiKey', data });
      return reply.status(201).send({ key_id: keyId, key, name, roles, expires_at: expiresAt, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
    },
  );

  app.delete(
    '/api/v1/api-keys/:key_id',
    { config, schema: { tags, summary: 'Revoke an API key (effective at once)', params: KeyParams, body: Type.Optional(RevokeBody), response: { 200: Revoked, ...ProblemResponses } } },
    async (request, reply) => {
      const { key_id } = request.params;
      if (!/^[0-9a-f]{32}$/.test(key_id)) throw new DomainError('not_found', `No API key ${key_id}.`, [], 'api-key-not-found');
      const outcome = await run(request, key_id, { type: 'RevokeApiKey', data: { key_id, reason: request.body?.reason ?? null, now: deps.clock().toISOString() } });
      return reply.send({ key_id, status: 'revoked' as const, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
    },
  );
}

async function refuseIdempotencyKey(request: FastifyRequest): Promise<void> {
  if (request.headers['idempotency-key'] !== undefined) {
    throw new DomainError('validation', 'Issuing an API key does not take an Idempotency-Key: its answer holds a secret that is shown once and never stored.', [
      { pointer: '/headers/idempotency-key', message: 'is not accepted here' },
    ]);
  }
}

function expiryOf(requested: string | undefined, now: Date): string {
  if (requested === undefined) return new Date(now.getTime() + DEFAULT_LIFETIME_DAYS * DAY_MS).toISOString();
  const at = Date.parse(requested);
  if (Number.isNaN(at) || at <= now.getTime() || at > now.getTime() + MAX_LIFETIME_DAYS * DAY_MS) {
    throw new DomainError('validation', `expires_at must be in the future and at most ${MAX_LIFETIME_DAYS} days away.`, [{ pointer: '/expires_at', message: 'is out of range' }]);
  }
  return new Date(at).toISOString();
}
