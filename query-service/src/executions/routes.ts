import { Type } from '@sinclair/typebox';
import { DomainError, isValidId } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { ProblemResponses } from '../http/schemas.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { ListQuery, pageOf } from '../workflows/schemas.js';
import { READER_ROLES, requireAnyRole } from './access.js';
import { readThrough } from './cache-aside.js';
import { timeFilter } from '../keyset.js';
import { getExecution, listExecutions } from './read-model.js';
import { DecisionSchema, ExecutionSummarySchema, ExecutionViewSchema, StatusSchema, TimeWindowQuery } from './schemas.js';

const READ_MODELS = ['executions'] as const;
/** Approvers see the executions they are asked to decide on. */
const ROLES = [...READER_ROLES, 'approver'];

export function registerExecutionQueries(app: HttpApp, deps: QueryServiceDeps): void {
  const tags = ['executions'];
  const config = { readModels: READ_MODELS, permission: 'executions:read' as const };

  app.get(
    '/api/v1/executions',
    {
      config,
      schema: {
        tags,
        summary: 'List executions, newest first',
        querystring: Type.Object(
          {
            ...ListQuery,
            ...ConsistencyQuery,
            ...TimeWindowQuery,
            workflow_id: Type.Optional(Type.String({ maxLength: 128 })),
            status: Type.Optional(StatusSchema),
            decision: Type.Optional(DecisionSchema),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ExecutionSummarySchema), ...ProblemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAnyRole(principal, ROLES, 'executions');
      const { from, to, ...filter } = request.query;
      return listExecutions(deps.pool, principal.tenant, { ...filter, from: timeFilter('from', from), to: timeFilter('to', to) });
    },
  );

  app.get(
    '/api/v1/executions/:execution_id',
    {
      config,
      schema: {
        tags,
        summary: 'An execution: status, decision, context, current step and step timeline',
        params: Type.Object({ execution_id: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({ ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: ExecutionViewSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireAnyRole(principal, ROLES, 'executions');
      const { execution_id } = request.params;
      const view = isValidId(execution_id)
        ? await readThrough(deps, principal.tenant, execution_id, request.minPosition === undefined, {
            kind: 'execution',
            load: () => getExecution(deps.pool, principal.tenant, execution_id),
            revisionOf: (found) => found.revision,
          })
        : undefined;
      if (!view) throw new DomainError('not_found', `No execution ${execution_id}.`);
      return reply.header('etag', `"${view.revision}"`).send(view);
    },
  );
}
