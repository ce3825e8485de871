import { Type } from '@sinclair/typebox';
import type { ApprovalView, Page } from '@iwf/contracts';
import { DomainError, isValidId } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import { cacheKey } from '@iwf/platform/cache/cache';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { READER_ROLES, requireAnyRole } from '../executions/access.js';
import { readThrough } from '../executions/cache-aside.js';
import { ProblemResponses } from '../http/schemas.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { ListQuery, pageOf } from '../workflows/schemas.js';
import type { ApprovalFilter, PendingSet } from './read-model.js';
import { getApproval, listApprovals, loadPendingSets, pendingPage, roleKeyOf } from './read-model.js';
import { ApprovalStatusSchema, ApprovalViewSchema } from './schemas.js';

const READ_MODELS = ['approvals'] as const;
const ROLES = [...READER_ROLES, 'approver'];
const Name = Type.String({ minLength: 1, maxLength: 128 });

export function registerApprovalQueries(app: HttpApp, deps: QueryServiceDeps): void {
  const tags = ['approvals'];
  const config = { readModels: READ_MODELS, permission: 'approvals:read' as const };

  app.get(
    '/api/v1/approvals',
    {
      config,
      schema: {
        tags,
        summary: 'List approval requests, newest first',
        querystring: Type.Object(
          {
            ...ListQuery,
            ...ConsistencyQuery,
            status: Type.Optional(ApprovalStatusSchema),
            approver_role: Type.Optional(Name),
            entity: Type.Optional(Name),
            entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            execution_id: Type.Optional(Name),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ApprovalViewSchema), ...ProblemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAnyRole(principal, ROLES, 'approvals');
      const inbox = request.minPosition === undefined ? await pendingInbox(deps, principal.tenant, request.query) : undefined;
      return inbox ?? listApprovals(deps.pool, principal.tenant, request.query);
    },
  );

  app.get(
    '/api/v1/approvals/:approval_id',
    {
      config,
      schema: {
        tags,
        summary: 'One approval request',
        params: Type.Object({ approval_id: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({ ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: ApprovalViewSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireAnyRole(principal, ROLES, 'approvals');
      const { approval_id } = request.params;
      const view = isValidId(approval_id)
        ? await readThrough(deps, principal.tenant, approval_id, request.minPosition === undefined, {
            kind: 'approval',
            load: () => getApproval(deps.pool, principal.tenant, approval_id),
            revisionOf: (found) => found.revision,
          })
        : undefined;
      if (!view) throw new DomainError('not_found', `No approval ${approval_id}.`);
      return reply.header('etag', `"${view.revision}"`).send(view);
    },
  );
}

/**
 * The approvers' inbox — the first page of one role's pending approvals, newest first — is
 * served from the cached pending set. Undefined for any other list, or when the cached set
 * cannot answer (the page is longer than it holds): the database answers those.
 */
async function pendingInbox(deps: QueryServiceDeps, tenant: string, filter: ApprovalFilter): Promise<Page<ApprovalView> | undefined> {
  const { status, approver_role, entity, entity_id, execution_id, cursor, order } = filter;
  if (status !== 'pending' || approver_role === undefined || cursor !== undefined || order === 'asc') return undefined;
  if (entity !== undefined || entity_id !== undefined || execution_id !== undefined) return undefined;
  const key = cacheKey(tenant, 'pending_approvals', approver_role);
  const cached = await deps.cache.get(key).catch(() => undefined);
  deps.onCacheResult?.('pending_approvals', cached !== undefined);
  let set = cached?.value as PendingSet | undefined;
  if (!set) {
    set = (await loadPendingSets(deps.pool, [{ tenant, approver_role }])).get(roleKeyOf({ tenant, approver_role }));
    // A role no approval ever named has no set: an empty inbox, nothing worth caching.
    if (!set) return { items: [], next_cursor: null };
    await deps.cache.setIfNewer(key, set.revision, set).catch(() => false);
  }
  return pendingPage(set, filter.limit);
}
