import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Condition } from '@iwf/contracts';
import { DomainError, ID_PATTERN, isValidId, streamId } from '@iwf/contracts';
import { validateCondition } from '@iwf/contracts/workflow/validate-conditions';
import { newWalk } from '@iwf/contracts/workflow/walk';
import type { HttpApp } from '@iwf/platform/http/app';
import { principalOf } from '@iwf/platform/auth/plugin';
import { setLogPosition } from '@iwf/platform/http/positions';
import { commandContext } from '../command-handling/context.js';
import { handleCommand } from '../command-handling/handle-command.js';
import type { CommandServiceDeps } from '../deps.js';
import type { Engine } from '../engine/runtime/engine.js';
import { eventMetadataFor, ifMatchRevision } from '../http/request-context.js';
import { NoBody, ProblemResponses } from '../http/schemas.js';
import type { RuleCommand } from './domain/decider.js';
import { ruleDecider } from './domain/decider.js';

const RuleParams = Type.Object({ rule_id: Type.String({ maxLength: 128 }) });
const content = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  condition: Type.Object({}, { additionalProperties: true, description: 'A condition, as in a condition step (see the workflow language).' }),
};
const CreateBody = Type.Object({ rule_id: Type.String({ pattern: ID_PATTERN }), ...content }, { additionalProperties: false });
const UpdateBody = Type.Object({ rule_id: Type.Optional(Type.String()), ...content }, { additionalProperties: false });
const RuleAnswer = Type.Object({ rule_id: Type.String(), revision: Type.Integer(), position: Type.Union([Type.String(), Type.Null()]) });

/** The condition checked as a workflow's would be, with pointers into this body. */
function checkedCondition(condition: unknown): Condition {
  const walk = newWalk();
  validateCondition(walk, condition, '/condition');
  if (walk.errors.length > 0) throw new DomainError('validation', 'The rule condition is invalid.', walk.errors, 'invalid-rule');
  return condition as Condition;
}

export function registerRuleRoutes(app: HttpApp, deps: CommandServiceDeps, engine: Engine): void {
  const tags = ['rules'];
  const config = { permission: 'rules:write' as const };
  const run = async (request: FastifyRequest, ruleId: string, command: RuleCommand) => {
    const principal = principalOf(request);
    if (!isValidId(ruleId)) throw new DomainError('not_found', `No rule ${ruleId}.`, [], 'rule-not-found');
    const outcome = await handleCommand(commandContext(deps, eventMetadataFor(request)), ruleDecider, {
      streamId: streamId('rule', principal.tenant, ruleId),
      command,
      ifMatch: ifMatchRevision(request),
    });
    await engine.ruleCommitted(principal.tenant, outcome.revision, outcome.state);
    return outcome;
  };
  const now = () => deps.clock().toISOString();

  app.post('/api/v1/rules', { config, schema: { tags, summary: 'Create a rule', body: CreateBody, response: { 201: RuleAnswer, ...ProblemResponses } } }, async (request, reply) => {
    const { rule_id, name, description, condition } = request.body;
    const data = { rule_id, name, description: description ?? null, condition: checkedCondition(condition), now: now() };
    const outcome = await run(request, rule_id, { type: 'CreateRule', data });
    return reply.status(201).send({ rule_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
  });

  app.put('/api/v1/rules/:rule_id', { config, schema: { tags, summary: 'Replace a rule', params: RuleParams, body: UpdateBody, response: { 200: RuleAnswer, ...ProblemResponses } } }, async (request, reply) => {
    const { rule_id } = request.params;
    const { name, description, condition } = request.body;
    if (request.body.rule_id !== undefined && request.body.rule_id !== rule_id) {
      throw new DomainError('validation', 'The body names another rule than the URL.', [{ pointer: '/rule_id', message: `must be ${rule_id}` }]);
    }
    const data = { rule_id, name, description: description ?? null, condition: checkedCondition(condition), now: now() };
    const outcome = await run(request, rule_id, { type: 'UpdateRule', data });
    return reply.send({ rule_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
  });

  app.delete('/api/v1/rules/:rule_id', { config, schema: { tags, summary: 'Delete a rule', params: RuleParams, body: NoBody, response: { 200: RuleAnswer, ...ProblemResponses } } }, async (request, reply) => {
    const { rule_id } = request.params;
    const outcome = await run(request, rule_id, { type: 'DeleteRule', data: { rule_id, now: now() } });
    return reply.send({ rule_id, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
  });
}
