import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  DomainError,
  isValidId,
  parseWorkflowDocument,
  streamId,
  type WorkflowCommand,
  type WorkflowDocument,
} from '@iwf/contracts';
import type { HttpApp } from '@iwf/platform/http/app';
import { setLogPosition } from '@iwf/platform/http/positions';
import { principalOf } from '@iwf/platform/auth/plugin';
import { handleCommand } from '../command-handling/handle-command.js';
import type { CommandServiceDeps } from '../deps.js';
import { commandContext } from '../command-handling/context.js';
import { eventMetadataFor, ifMatchRevision } from '../http/request-context.js';
import { workflowDecider } from './domain/decider.js';
import { NoBody, ProblemResponses } from '../http/schemas.js';

const WorkflowParams = Type.Object({ workflow_id: Type.String({ maxLength: 128 }) });
const WorkflowDocumentBody = Type.Object(
  {},
  { additionalProperties: true, description: 'A workflow definition, canonical or legacy shape (see the workflow language).' },
);
const WriteAnswer = Type.Object({
  workflow_id: Type.String(),
  revision: Type.Integer({ description: 'The aggregate revision; send it back in If-Match.' }),
  position: Type.Union([Type.String(), Type.Null()], { description: 'Log position to pass as X-Min-Position on reads.' }),
});

export function registerWorkflowRoutes(app: HttpApp, deps: CommandServiceDeps): void {
  const tags = ['workflows'];
  const config = { permission: 'workflows:write' as const };

  app.post(
    '/api/v1/workflows',
    { config, schema: { tags, summary: 'Create a workflow', body: WorkflowDocumentBody, response: { 201: WriteAnswer, ...ProblemResponses } } },
    async (request, reply) => {
      const document = parseDocument(request.body);
      const outcome = await run(deps, request, document.workflow_id, { type: 'CreateWorkflow', data: { document, now: deps.clock().toISOString() } });
      return reply.status(201).send({ workflow_id: document.workflow_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
    },
  );

  app.put(
    '/api/v1/workflows/:workflow_id',
    { config, schema: { tags, summary: 'Publish a new definition', params: WorkflowParams, body: WorkflowDocumentBody, response: { 200: WriteAnswer, ...ProblemResponses } } },
    async (request, reply) => {
      const { workflow_id } = request.params;
      const body = request.body as Record<string, unknown>;
      const document = parseDocument({ ...body, workflow_id: body['workflow_id'] ?? workflow_id });
      if (document.workflow_id !== workflow_id) {
        throw new DomainError('validation', 'The body names another workflow than the URL.', [{ pointer: '/workflow_id', message: `must be ${workflow_id}` }]);
      }
      const outcome = await run(deps, request, workflow_id, { type: 'PublishWorkflowDefinition', data: { document, now: deps.clock().toISOString() } });
      return reply.send({ workflow_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
    },
  );

  const toggles = [
    ['enable', 'EnableWorkflow', 'Enable triggering'],
    ['disable', 'DisableWorkflow', 'Disable triggering'],
  ] as const;
  for (const [path, type, summary] of toggles) {
    app.post(
      `/api/v1/workflows/:workflow_id/${path}`,
      { config, schema: { tags, summary, params: WorkflowParams, body: NoBody, response: { 200: WriteAnswer, ...ProblemResponses } } },
      async (request, reply) => {
        const { workflow_id } = request.params;
        const outcome = await run(deps, request, workflow_id, { type, data: { workflow_id, now: deps.clock().toISOString() } });
        return reply.send({ workflow_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
      },
    );
  }

  app.delete(
    '/api/v1/workflows/:workflow_id',
    { config, schema: { tags, summary: 'Archive a workflow (its history stays)', params: WorkflowParams, body: NoBody, response: { 200: WriteAnswer, ...ProblemResponses } } },
    async (request, reply) => {
      const { workflow_id } = request.params;
      const outcome = await run(deps, request, workflow_id, { type: 'ArchiveWorkflow', data: { workflow_id, now: deps.clock().toISOString() } });
      return reply.send({ workflow_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
    },
  );
}

function parseDocument(body: unknown): WorkflowDocument {
  const parsed = parseWorkflowDocument(body);
  if (!parsed.ok) throw new DomainError('validation', 'The workflow definition is invalid.', parsed.errors, 'invalid-workflow');
  return parsed.document;
}

async function run(deps: CommandServiceDeps, request: FastifyRequest, workflowId: string, command: WorkflowCommand) {
  if (!isValidId(workflowId)) throw new DomainError('not_found', `No workflow ${workflowId}.`);
  const tenant = principalOf(request).tenant;
  const outcome = await handleCommand(commandContext(deps, eventMetadataFor(request)), workflowDecider, {
    streamId: streamId('workflow', tenant, workflowId),
    command,
    ifMatch: ifMatchRevision(request),
  });
  // Ingest reads triggers from the engine's index, so it must be current before we answer.
  await deps.engine?.workflowCommitted(tenant, outcome.revision, outcome.state);
  return outcome;
}
