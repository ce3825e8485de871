import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { DomainError, isValidId, type WorkflowView } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { ProblemResponses } from '../http/schemas.js';
import { getWorkflow, getWorkflowVersion, listWorkflows, listWorkflowVersions } from './read-model.js';
import { ListQuery, WorkflowDetailSchema, WorkflowVersionViewSchema, WorkflowViewSchema, pageOf } from './schemas.js';
import { readThrough } from '../executions/cache-aside.js';
import { getExecutionCounts } from '../executions/read-model.js';

const READ_MODELS = ['workflows'] as const;
const Params = Type.Object({ workflow_id: Type.String({ maxLength: 128 }) });

export function registerWorkflowQueries(app: HttpApp, deps: QueryServiceDeps): void {
  const tags = ['workflows'];
  const config = { readModels: READ_MODELS, permission: 'workflows:read' as const };

  app.get(
    '/api/v1/workflows',
    {
      config,
      schema: {
        tags,
        summary: 'List workflows',
        querystring: Type.Object(
          {
            ...ListQuery,
            ...ConsistencyQuery,
            enabled: Type.Optional(Type.Boolean()),
            archived: Type.Boolean({ default: false, description: 'List archived workflows instead of live ones.' }),
            tag: Type.Optional(Type.String({ maxLength: 128 })),
            trigger_event: Type.Optional(Type.String({ maxLength: 256 })),
            q: Type.Optional(Type.String({ maxLength: 256 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(WorkflowViewSchema), ...ProblemResponses },
      },
    },
    async (request) => listWorkflows(deps.pool, principalOf(request).tenant, request.query),
  );

  app.get(
    '/api/v1/workflows/:workflow_id',
    {
      config: { ...config, readModels: [...READ_MODELS, 'executions'] },
      schema: {
        tags,
        summary: 'A workflow: its current definition, status, revision and execution counts',
        params: Params,
        querystring: Type.Object({ ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: WorkflowDetailSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const tenant = principalOf(request).tenant;
      const { workflow_id } = request.params;
      if (!isValidId(workflow_id)) throw new DomainError('not_found', `No workflow ${workflow_id}.`);
      // Counts change with every execution, so they are read beside the (cached) definition.
      const [view, execution_counts] = await Promise.all([
        readWorkflow(deps, tenant, workflow_id, request.minPosition === undefined),
        getExecutionCounts(deps.pool, tenant, workflow_id),
      ]);
      if (!view) throw new DomainError('not_found', `No workflow ${workflow_id}.`);
      return withEtag(reply, view.revision).send({ ...view, execution_counts });
    },
  );

  app.get(
    '/api/v1/workflows/:workflow_id/versions',
    {
      config,
      schema: {
        tags,
        summary: 'Every published definition of a workflow',
        params: Params,
        querystring: Type.Object({ ...ListQuery, ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: pageOf(WorkflowVersionViewSchema), ...ProblemResponses },
      },
    },
    async (request) => {
      const tenant = principalOf(request).tenant;
      const { workflow_id } = request.params;
      const page = isValidId(workflow_id) ? await listWorkflowVersions(deps.pool, tenant, workflow_id, request.query) : undefined;
      // An empty page past a cursor is the end of a workflow's versions, or no workflow at all.
      const missing = !page || (page.items.length === 0 && (request.query.cursor === undefined || !(await getWorkflow(deps.pool, tenant, workflow_id))));
      if (missing) throw new DomainError('not_found', `No workflow ${workflow_id}.`);
      return page;
    },
  );

  app.get(
    '/api/v1/workflows/:workflow_id/versions/:definition_revision',
    {
      config,
      schema: {
        tags,
        summary: 'One published definition of a workflow',
        params: Type.Object({ workflow_id: Type.String({ maxLength: 128 }), definition_revision: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        querystring: Type.Object({ ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: WorkflowVersionViewSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const tenant = principalOf(request).tenant;
      const { workflow_id, definition_revision } = request.params;
      const view = isValidId(workflow_id) ? await getWorkflowVersion(deps.pool, tenant, workflow_id, definition_revision) : undefined;
      if (!view) throw new DomainError('not_found', `Workflow ${workflow_id} has no definition revision ${definition_revision}.`);
      // A published definition never changes: its definition revision names it for good. Not a
      // bare number: the workflow's own ETag is its stream revision, which If-Match takes.
      return reply.header('etag', `"d${view.definition_revision}"`).send(view);
    },
  );
}

function readWorkflow(deps: QueryServiceDeps, tenant: string, workflowId: string, useCache: boolean): Promise<WorkflowView | undefined> {
  return readThrough(deps, tenant, workflowId, useCache, { kind: 'workflow', load: () => getWorkflow(deps.pool, tenant, workflowId), revisionOf: (view) => view.revision });
}

function withEtag(reply: FastifyReply, revision: number): FastifyReply {
  return reply.header('etag', `"${revision}"`);
}
