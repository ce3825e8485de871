import type { ApprovalEffectRequest, ExecutionTrigger } from '@iwf/contracts';
import { parseDuration } from '@iwf/contracts';
import { isPlainObject } from '../json.js';
import { lookupPath, renderTemplate, textOf } from '../templates/index.js';
import { evaluationError, invalidError, stepFailure } from './failure.js';
import { approvalId, effectId, idempotencyKey } from './ids.js';
import { approvalRequested } from './items-step.js';
import { addMs } from './progress.js';
import type { Events, RunContext } from './run-context.js';

/**
 * The field a wait correlates on: `match.field`, else `<entity>.id` where the entity is the
 * first segment of the trigger event's type; without a trigger event, of the awaited type.
 */
export function matchFieldOf(match: { readonly field: string } | undefined, trigger: ExecutionTrigger, awaited: string): string {
  if (match !== undefined) return match.field;
  const source = trigger.event_type ?? awaited;
  const entity = source.split('.')[0]?.replace(/\*$/, '') ?? '';
  return `${entity === '' ? 'event' : entity}.id`;
}

/** Wait: record what it waits for and its correlation value; the run then waits. */
export function waitEvents(run: RunContext): Events {
  const { entry, step, env, state } = run;
  if (entry.progress?.kind !== 'wait' || entry.progress.wait !== null || step.type !== 'wait') return [];
  const field = matchFieldOf(step.wait.match, state.trigger, step.wait.event);
  const found = lookupPath(run.scope, field);
  if (found.status !== 'found') {
    return [stepFailure(entry, step, evaluationError(`wait correlates on ${field}, which is not in the context`), env.now)];
  }
  const timeoutMs = step.wait.timeout === undefined ? undefined : parseDuration(step.wait.timeout);
  const data = {
    run: entry.run,
    step_id: entry.step_id,
    path: entry.path,
    event_type: step.wait.event,
    match_field: field,
    match_value: found.value,
    timeout_at: timeoutMs === undefined ? null : addMs(env.now, timeoutMs),
    at: env.now,
  };
  return [{ type: 'WaitStarted', data }];
}

/** Approval step: request the approval (an effect creates it) and wait for its decision. */
export function approvalStepEvents(run: RunContext): Events {
  const { entry, step, env, state } = run;
  if (entry.progress?.kind !== 'approval' || entry.progress.approval_id !== null || step.type !== 'approval') return [];
  const settings = renderTemplate(step.approval, run.scope, { now: env.now }).value;
  const field = (name: string): string => {
    const value = isPlainObject(settings) ? settings[name] : undefined;
    return value === undefined ? '' : textOf(value);
  };
  const expiresMs = parseDuration(field('expires_in'));
  if (field('approver_role') === '' || expiresMs === undefined || expiresMs <= 0) {
    return [stepFailure(entry, step, invalidError('approval needs approver_role and a valid expires_in'), env.now)];
  }
  const key = idempotencyKey(state.execution_id, entry.thread, entry.step_id, entry.visit, 0);
  const entity = field('entity') || defaultEntity(state.trigger);
  const request: ApprovalEffectRequest = {
    approval_id: approvalId(state.execution_id, key),
    execution_id: state.execution_id,
    workflow_id: state.workflow_id,
    step_id: entry.step_id,
    approver_role: field('approver_role'),
    entity,
    entity_id: field('entity_id') || entityIdOf(run, entity),
    reason: field('reason') || `Approval required (${step.name ?? step.id})`,
    data: {},
    expires_at: addMs(env.now, expiresMs),
    blocking: true,
  };
  const requested = {
    type: 'EffectRequested' as const,
    data: {
      effect_id: effectId(state.execution_id, state.effect_count),
      run: entry.run,
      step_id: entry.step_id,
      path: entry.path,
      item_index: 0,
      kind: 'create_approval_request' as const,
      request,
      idempotency_key: key,
      deadline: null,
      unresolved: [],
      at: env.now,
    },
  };
  return [approvalRequested(run, request), requested];
}

const defaultEntity = (trigger: ExecutionTrigger): string => trigger.event_type?.split('.')[0] ?? 'execution';

function entityIdOf(run: RunContext, entity: string): string {
  const found = lookupPath(run.scope, `${entity}.id`);
  return found.status === 'found' && (typeof found.value === 'string' || typeof found.value === 'number') ? String(found.value) : run.state.execution_id;
}
