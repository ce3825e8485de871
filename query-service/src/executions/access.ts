import type { Principal } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';

/** Roles that read everything in their tenant (API.md "Auth"); admin may do anything. */
export const READER_ROLES = ['workflow_manager', 'workflow_viewer'] as const;

export function hasAnyRole(principal: Principal, roles: readonly string[]): boolean {
  return principal.roles.includes('admin') || principal.roles.some((role) => roles.includes(role));
}

/** 403 unless the principal has one of the roles (or admin). */
export function requireAnyRole(principal: Principal, roles: readonly string[], what: string): void {
  if (!hasAnyRole(principal, roles)) {
    throw new DomainError('forbidden', `Reading ${what} needs one of the roles ${['admin', ...roles].join(', ')}.`);
  }
}
