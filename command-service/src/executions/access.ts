import type { FastifyRequest } from 'fastify';
import type { Principal } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';

/** Roles allowed per engine command (API.md); `admin` may do everything in its tenant. */
export const ENGINE_ROLES = {
  ingest: ['admin', 'workflow_manager', 'agent'],
  executions: ['admin', 'workflow_manager'],
  rules: ['admin', 'workflow_manager'],
} as const;

export function requireRole(request: FastifyRequest, allowed: readonly string[]): Principal {
  const principal = principalOf(request);
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new DomainError('forbidden', `This needs one of the roles ${allowed.join(', ')}.`);
  }
  return principal;
}
