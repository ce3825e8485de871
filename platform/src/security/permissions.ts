import type { Principal } from '@iwf/contracts';

/**
 * The one table of who may do what (API.md "Auth"). Every non-public route names one
 * permission in its config (`config: { permission: 'workflows:write' }`); a request passes
 * when one of its principal's roles is listed for that permission. `admin` is listed
 * everywhere rather than special-cased, so the table alone answers "who may do X".
 */
export const PERMISSIONS = {
  'workflows:read': ['admin', 'workflow_manager', 'workflow_viewer'],
  'workflows:write': ['admin', 'workflow_manager'],
  'executions:read': ['admin', 'workflow_manager', 'workflow_viewer', 'approver'],
  'executions:write': ['admin', 'workflow_manager'],
  'approvals:read': ['admin', 'workflow_manager', 'workflow_viewer', 'approver'],
  // The approval decider then also requires the approval's own approver_role.
  'approvals:decide': ['admin', 'approver'],
  'events:ingest': ['admin', 'workflow_manager', 'agent'],
  // An agent reads only the events it ingested itself: the route filters rows by sender.
  'events:read': ['admin', 'workflow_manager', 'workflow_viewer', 'agent'],
  'rules:read': ['admin', 'workflow_manager', 'workflow_viewer'],
  'rules:write': ['admin', 'workflow_manager'],
  'analytics:read': ['admin', 'workflow_manager', 'workflow_viewer'],
  'audit:read': ['admin', 'workflow_manager', 'workflow_viewer'],
  'api-keys:manage': ['admin'],
  'admin:operate': ['admin'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

export function rolesFor(permission: Permission): readonly string[] {
  return PERMISSIONS[permission];
}

export function isAllowed(principal: Pick<Principal, 'roles'>, permission: Permission): boolean {
  const allowed: readonly string[] = PERMISSIONS[permission];
  return principal.roles.some((role) => allowed.includes(role));
}
