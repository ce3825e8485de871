import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { EVENT_TYPE_PATTERN, ID_PATTERN, validationError } from '@iwf/contracts';
import type { HttpApp } from '@iwf/platform/http/app';
import { principalOf } from '@iwf/platform/auth/plugin';
import { MAX_WAIT_HEADER, maxWaitMs, setLogPosition } from '@iwf/platform/http/positions';
import type { Engine } from '../engine/runtime/engine.js';
import { ENGINE_EVENT_ID_PREFIX, isEngineEventId } from '../engine/runtime/ids.js';
import { eventMetadataFor } from '../http/request-context.js';
import { ProblemResponses } from '../http/schemas.js';
import type { IngestAnswer } from './ingest.js';

const IngestBody = Type.Object(
  {
    event_type: Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 200, description: 'e.g. order.created' }),
    payload: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    event_id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Makes ingestion idempotent: the same id answers the first result.' })),
  },
  { additionalProperties: false },
);

export const ExecutionSummarySchema = Type.Object({
  execution_id: Type.String(),
  workflow_id: Type.String(),
  status: Type.String(),
  decision: Type.Union([Type.String(), Type.Null()]),
});

const IngestAnswerSchema = Type.Object({
  event_id: Type.String(),
  executions: Type.Array(ExecutionSummarySchema, { description: 'The executions this event started.' }),
  resumed: Type.Array(ExecutionSummarySchema, { description: 'Waiting executions this event resumed.' }),
  position: Type.Union([Type.String(), Type.Null()]),
});

const WaitQuery = Type.Object({ wait: Type.Optional(Type.Boolean({ description: 'Answer once no started execution is running.' })) }, { additionalProperties: false });

// A waiting request holds a connection; it may not outlive the request timeout.
const MAX_WAIT_MS = 25_000;

/** The deadline of a `?wait=true` ingest: X-Max-Wait-Ms, else the configured default. */
export function waitDeadline(request: FastifyRequest, wait: boolean | undefined, defaultMs: number): number | undefined {
  // A malformed X-Max-Wait-Ms is a 400 even when the request does not wait.
  const waitMs = maxWaitMs(request.headers[MAX_WAIT_HEADER], defaultMs, MAX_WAIT_MS);
  return wait === true ? Date.now() + waitMs : undefined;
}

export function registerIngestRoutes(app: HttpApp, engine: Engine): void {
  app.post(
    '/api/v1/events',
    {
      config: { permission: 'events:ingest' },
      schema: {
        tags: ['events'],
        summary: 'Ingest a business event',
        body: IngestBody,
        querystring: WaitQuery,
        response: { 202: IngestAnswerSchema, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const metadata = eventMetadataFor(request);
      const { event_type, payload, source, event_id } = request.body;
      if (event_id !== undefined && isEngineEventId(event_id)) {
        throw validationError([{ pointer: '/event_id', message: `must not start with ${ENGINE_EVENT_ID_PREFIX}, which names the events the service ingests itself` }]);
      }
      const answer: IngestAnswer = await engine.ingest(
        principal.tenant,
        { event_type, payload, source: source ?? 'api', event_id },
        { actor: metadata.actor, correlation_id: metadata.correlation_id, causation_id: metadata.causation_id, traceparent: metadata.traceparent },
        { waitUntil: waitDeadline(request, request.query.wait, engine.config.ingestWaitDefaultMs) },
      );
      const { executions, resumed, position } = answer;
      return reply.status(202).send({ event_id: answer.event_id, executions: [...executions], resumed: [...resumed], position: setLogPosition(reply, position) });
    },
  );
}
