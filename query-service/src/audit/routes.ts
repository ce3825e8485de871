import { Type } from '@sinclair/typebox';
import type { AuditStreamView } from '@iwf/contracts';
import { DomainError, parseStreamId } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { READER_ROLES, requireAnyRole } from '../executions/access.js';
import { timeFilter } from '../keyset.js';
import { ProblemResponses } from '../http/schemas.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { ListQuery, pageOf } from '../workflows/schemas.js';
import { listAuditEvents } from './read-model.js';
import { AuditEventViewSchema, AuditStreamViewSchema } from './schemas.js';
import { auditStream } from './stream.js';

const Text = Type.String({ minLength: 1, maxLength: 256 });
const Time = Type.String({ format: 'date-time', maxLength: 64, description: 'ISO-8601 timestamp with its time zone' });

/** Audit reads come from the log itself; a stream of another tenant does not exist for the caller (404). */
export function registerAuditQueries(app: HttpApp, deps: QueryServiceDeps): void {
  const tags = ['audit'];
  const config = { permission: 'audit:read' as const, readsLog: true };

  app.get(
    '/api/v1/audit/streams/:stream_id',
    {
      config,
      schema: {
        tags,
        summary: "A stream's events with their metadata, and its aggregate's state folded up to a revision or a time",
        params: Type.Object({ stream_id: Type.String({ minLength: 1, maxLength: 300 }) }),
        querystring: Type.Object(
          { at_revision: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 })), at_time: Type.Optional(Time), ...ConsistencyQuery },
          { additionalProperties: false },
        ),
        response: { 200: AuditStreamViewSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireAnyRole(principal, READER_ROLES, 'the audit trail');
      const { stream_id } = request.params;
      const cut = { at_revision: request.query.at_revision, at_time: timeFilter('at_time', request.query.at_time) };
      const view = parseStreamId(stream_id)?.tenant === principal.tenant ? await auditStream(deps.pool, stream_id, cut) : undefined;
      if (!view) throw new DomainError('not_found', `No stream ${stream_id}.`);
      // The whole stream: its head revision, the aggregate's own ETag. A cut: the last event
      // shown and the head, both of which its answer shows.
      const whole = cut.at_revision === undefined && cut.at_time === undefined;
      void reply.header('etag', !whole ? `"${view.revision ?? 'none'}-${view.head_revision}"` : `"${view.head_revision}"`);
      return reply.send(view satisfies AuditStreamView);
    },
  );

  app.get(
    '/api/v1/audit/events',
    {
      config,
      schema: {
        tags,
        summary: "The tenant's events across streams, by actor, correlation id, stream, type or time; newest first",
        querystring: Type.Object(
          {
            ...ListQuery,
            actor: Type.Optional(Text),
            correlation_id: Type.Optional(Text),
            stream_id: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            from: Type.Optional(Time),
            to: Type.Optional(Time),
            ...ConsistencyQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AuditEventViewSchema), ...ProblemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAnyRole(principal, READER_ROLES, 'the audit trail');
      const { from, to, ...rest } = request.query;
      return listAuditEvents(deps.pool, principal.tenant, { ...rest, from: timeFilter('from', from), to: timeFilter('to', to) });
    },
  );
}
