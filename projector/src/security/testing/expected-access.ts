import type { Role } from '@iwf/contracts';

/**
 * Who may call each route, written from API.md's role table, independently of the permission
 * table in platform/src/security/permissions.ts: the matrix test compares the two through real
 * requests. A new route fails the matrix until it is listed here and has a permission.
 */
const MANAGERS: readonly Role[] = ['admin', 'workflow_manager'];
const READERS: readonly Role[] = ['admin', 'workflow_manager', 'workflow_viewer'];
const APPROVAL_READERS: readonly Role[] = [...READERS, 'approver'];
const EVENT_READERS: readonly Role[] = [...READERS, 'agent'];

export const EXPECTED_ACCESS: Readonly<Record<string, readonly Role[]>> = {
  'POST /api/v1/workflows': MANAGERS,
  'PUT /api/v1/workflows/:workflow_id': MANAGERS,
  'POST /api/v1/workflows/:workflow_id/enable': MANAGERS,
  'POST /api/v1/workflows/:workflow_id/disable': MANAGERS,
  'DELETE /api/v1/workflows/:workflow_id': MANAGERS,
  'POST /api/v1/workflows/:workflow_id/executions': MANAGERS,
  'POST /api/v1/events': [...MANAGERS, 'agent'],
  'POST /api/v1/executions/:execution_id/cancel': MANAGERS,
  'POST /api/v1/executions/:execution_id/retry': MANAGERS,
  'POST /api/v1/approvals/:approval_id/approve': ['admin', 'approver'],
  'POST /api/v1/approvals/:approval_id/reject': ['admin', 'approver'],
  'POST /api/v1/rules': MANAGERS,
  'PUT /api/v1/rules/:rule_id': MANAGERS,
  'DELETE /api/v1/rules/:rule_id': MANAGERS,
  'POST /api/v1/api-keys': ['admin'],
  'DELETE /api/v1/api-keys/:key_id': ['admin'],
  'GET /api/v1/workflows': READERS,
  'GET /api/v1/workflows/:workflow_id': READERS,
  'GET /api/v1/workflows/:workflow_id/versions': READERS,
  'GET /api/v1/workflows/:workflow_id/versions/:definition_revision': READERS,
  'GET /api/v1/executions': APPROVAL_READERS,
  'GET /api/v1/executions/:execution_id': APPROVAL_READERS,
  'GET /api/v1/approvals': APPROVAL_READERS,
  'GET /api/v1/approvals/:approval_id': APPROVAL_READERS,
  'GET /api/v1/events': EVENT_READERS,
  'GET /api/v1/events/:event_id': EVENT_READERS,
  'GET /api/v1/rules': READERS,
  'GET /api/v1/rules/:rule_id': READERS,
  'GET /api/v1/analytics/summary': READERS,
  'GET /api/v1/analytics/trends': READERS,
  'GET /api/v1/audit/streams/:stream_id': READERS,
  'GET /api/v1/audit/events': READERS,
  'GET /admin/log-level': ['admin'],
  'PUT /admin/log-level': ['admin'],
};

/** The only routes that answer without credentials (API.md: health, readiness; and the API docs). */
export function isExpectedPublic(url: string): boolean {
  return url === '/health' || url === '/ready' || url === '/api/v1/docs' || url.startsWith('/api/v1/docs/');
}

/** A concrete URL for a route pattern, naming ids nobody created. */
export function concreteUrl(pattern: string): string {
  return pattern.replace(/:([A-Za-z_]+)/g, (_match, name: string) => (name === 'definition_revision' ? '1' : 'matrix-missing')).replace(/\*$/, 'index.html');
}
