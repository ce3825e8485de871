import { Type } from '@sinclair/typebox';
import type { Principal } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { READER_ROLES, hasAnyRole, requireAnyRole } from '../executions/access.js';
import { timeFilter } from '../keyset.js';
import { TimeWindowQuery } from '../executions/schemas.js';
import { ProblemResponses } from '../http/schemas.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { ListQuery, pageOf } from '../workflows/schemas.js';
import type { EventVisibility } from './read-model.js';
import { getIngestedEvent, listIngestedEvents } from './read-model.js';
import { IngestedEventViewSchema } from './schemas.js';

const READ_MODELS = ['ingested_events'] as const;

/** Readers see every event of their tenant; an agent only the events it ingested itself. */
function visibilityOf(principal: Principal): EventVisibility {
  if (hasAnyRole(principal, READER_ROLES)) return { all: true };
  requireAnyRole(principal, [...READER_ROLES, 'agent'], 'events');
  return { all: false, ingested_by: principal.actor };
}

export function registerIngestedEventQueries(app: HttpApp, deps: QueryServiceDeps): void {
  const tags = ['events'];
  const config = { readModels: READ_MODELS, permission: 'events:read' as const };

  app.get(
    '/api/v1/events',
    {
      config,
      schema: {
        tags,
        summary: 'List ingested events, newest first, with the executions each started',
        querystring: Type.Object(
          { ...ListQuery, ...ConsistencyQuery, ...TimeWindowQuery, event_type: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(IngestedEventViewSchema), ...ProblemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { from, to, ...filter } = request.query;
      const window = { from: timeFilter('from', from), to: timeFilter('to', to) };
      return listIngestedEvents(deps.pool, principal.tenant, { ...filter, ...window }, visibilityOf(principal));
    },
  );

  app.get(
    '/api/v1/events/:event_id',
    {
      config,
      schema: {
        tags,
        summary: 'One ingested event, with the executions it started',
        params: Type.Object({ event_id: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({ ...ConsistencyQuery }, { additionalProperties: false }),
        response: { 200: IngestedEventViewSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { event_id } = request.params;
      const view = await getIngestedEvent(deps.pool, principal.tenant, event_id, visibilityOf(principal));
      if (!view) throw new DomainError('not_found', `No event ${event_id}.`);
      return reply.header('etag', `"${view.revision}"`).send(view);
    },
  );
}
