import { Type } from '@sinclair/typebox';
import { DomainError, isValidId } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { READER_ROLES, requireAnyRole } from '../executions/access.js';
import { ProblemResponses } from '../http/schemas.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { ListQuery, pageOf } from '../workflows/schemas.js';
import { getRule, listRules } from './read-model.js';
import { RuleViewSchema } from './schemas.js';

const READ_MODELS = ['rules'] as const;

export function registerRuleQueries(app: HttpApp, deps: QueryServiceDeps): void {
  const tags = ['rules'];
  const config = { readModels: READ_MODELS, permission: 'rules:read' as const };

  app.get(
    '/api/v1/rules',
    {
      config,
      schema: {
        tags,
        summary: 'List rules, newest first',
        querystring: Type.Object({ ...ListQuery, ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: pageOf(RuleViewSchema), ...ProblemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAnyRole(principal, READER_ROLES, 'rules');
      return listRules(deps.pool, principal.tenant, request.query);
    },
  );

  app.get(
    '/api/v1/rules/:rule_id',
    {
      config,
      schema: {
        tags,
        summary: 'One rule',
        params: Type.Object({ rule_id: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({ ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: RuleViewSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireAnyRole(principal, READER_ROLES, 'rules');
      const { rule_id } = request.params;
      const view = isValidId(rule_id) ? await getRule(deps.pool, principal.tenant, rule_id) : undefined;
      if (!view) throw new DomainError('not_found', `No rule ${rule_id}.`);
      return reply.header('etag', `"${view.revision}"`).send(view);
    },
  );
}
