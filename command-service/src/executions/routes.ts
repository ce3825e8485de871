import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { DomainError, isValidId } from '@iwf/contracts';
import type { HttpApp } from '@iwf/platform/http/app';
import { principalOf } from '@iwf/platform/auth/plugin';
import { setLogPosition } from '@iwf/platform/http/positions';
import type { Engine } from '../engine/runtime/engine.js';
import type { Actor, Applied } from '../engine/runtime/execution-runner.js';
import { settle } from '../engine/runtime/settle.js';
import { waitDeadline } from '../ingest/routes.js';
import { startExecution } from '../ingest/start.js';
import { triggerOf } from '../ingest/trigger-index.js';
import { requireRevision } from '../command-handling/handle-command.js';
import { eventMetadataFor, ifMatchRevision } from '../http/request-context.js';
import { NoBody, ProblemResponses } from '../http/schemas.js';

const WorkflowParams = Type.Object({ workflow_id: Type.String({ maxLength: 128 }) });
const ExecutionParams = Type.Object({ execution_id: Type.String({ maxLength: 128 }) });
const StartBody = Type.Object({ payload: Type.Record(Type.String(), Type.Unknown(), { default: {} }) }, { additionalProperties: false });
const CancelBody = Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }), Type.Null()]);
const WaitQuery = Type.Object({ wait: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

const ExecutionAnswer = Type.Object({
  execution_id: Type.String(),
  workflow_id: Type.String(),
  status: Type.String(),
  decision: Type.Union([Type.String(), Type.Null()]),
  revision: Type.Integer(),
  position: Type.Union([Type.String(), Type.Null()]),
});

const actorOf = (request: FastifyRequest): Actor => {
  const metadata = eventMetadataFor(request);
  return { actor: metadata.actor, correlation_id: metadata.correlation_id, causation_id: metadata.causation_id, traceparent: metadata.traceparent };
};

export function registerExecutionRoutes(app: HttpApp, engine: Engine, pool: Parameters<typeof triggerOf>[0], newId: () => string): void {
  const tags = ['executions'];
  const config = { permission: 'executions:write' as const };

  app.post(
    '/api/v1/workflows/:workflow_id/executions',
    { config, schema: { tags, summary: 'Start an execution (manual trigger)', params: WorkflowParams, body: StartBody, querystring: WaitQuery, response: { 201: ExecutionAnswer, ...ProblemResponses } } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { workflow_id } = request.params;
      const row = isValidId(workflow_id) ? await triggerOf(pool, principal.tenant, workflow_id) : undefined;
      if (row === undefined) throw new DomainError('not_found', `No workflow ${workflow_id}.`, [], 'workflow-not-found');
      if (row.archived) throw new DomainError('illegal_state', `Workflow ${workflow_id} is archived.`, [], 'workflow-archived');
      if (!row.enabled) throw new DomainError('illegal_state', `Workflow ${workflow_id} is disabled; enable it to start executions.`, [], 'workflow-disabled');
      // If-Match pins the workflow: start only the definition the client saw (its ETag).
      requireRevision(ifMatchRevision(request), row.stream_revision);
      const actor = actorOf(request);
      // Before the start: a malformed X-Max-Wait-Ms is a 400 that starts nothing.
      const deadline = waitDeadline(request, request.query.wait, engine.config.ingestWaitDefaultMs);
      const started = await startExecution(engine.runner, principal.tenant, newId(), row, { trigger: { kind: 'manual', started_by: actor.actor }, payload: request.body.payload }, actor);
      const status = deadline === undefined ? started.status : await settle({ bus: engine.bus, runner: engine.runner, pollMs: engine.config.waitPollMs }, started.status, deadline);
      const { execution_id, status: current, decision, revision, position } = status;
      return reply.status(201).send({ execution_id, workflow_id, status: current, decision, revision, position: setLogPosition(reply, position) });
    },
  );

  const commands = [
    ['cancel', 'Cancel a running or waiting execution', Type.Optional(CancelBody)],
    ['retry', 'Retry a failed execution from its failed step', NoBody],
  ] as const;
  for (const [path, summary, body] of commands) {
    app.post(
      `/api/v1/executions/:execution_id/${path}`,
      { config, schema: { tags, summary, params: ExecutionParams, body, response: { 200: ExecutionAnswer, ...ProblemResponses } } },
      async (request, reply) => {
        const principal = principalOf(request);
        const { execution_id } = request.params;
        if (!isValidId(execution_id)) throw new DomainError('not_found', 'The execution does not exist.');
        const actor = actorOf(request);
        const options = { ifMatch: ifMatchRevision(request) };
        const reason = request.body && 'reason' in request.body ? (request.body.reason ?? null) : null;
        const applied: Applied =
          path === 'cancel'
            ? await engine.runner.send(principal.tenant, execution_id, { type: 'CancelExecution', data: { by: actor.actor, reason } }, actor, options)
            : await engine.runner.send(principal.tenant, execution_id, { type: 'RetryExecution', data: { by: actor.actor } }, actor, options);
        const { state } = applied;
        if (state.status === 'not_started') throw new DomainError('not_found', 'The execution does not exist.');
        return reply.send({
          execution_id,
          workflow_id: state.workflow_id,
          status: state.status,
          decision: state.decision,
          revision: applied.revision,
          position: setLogPosition(reply, applied.position),
        });
      },
    );
  }
}
