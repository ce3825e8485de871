import type { ActionType, ApprovalEffectRequest, ExecuteItem, ExecutionEvent, StepDecision } from '@iwf/contracts';
import { actionTypeOf } from '@iwf/contracts';
import { renderTemplate, textOf } from '../templates/index.js';
import { targetOf } from './definition.js';
import { stepFailure } from './failure.js';
import { approvalId, effectId, idempotencyKey } from './ids.js';
import { renderItem } from './render-item.js';
import type { ApprovalIds } from './render-item.js';
import type { Events, RunContext } from './run-context.js';
import { completed } from './run-context.js';

const DECISIONS: Readonly<Partial<Record<ActionType, StepDecision>>> = {
  allow: 'allowed',
  block: 'blocked',
  require_approval: 'pending_approval',
};

/**
 * Action and execute steps: the action's decision first, then the execute list one item at a
 * time. An item that needs the outside world pauses the run until its result is recorded.
 */
export function itemsEvents(run: RunContext): Events {
  const { entry, step } = run;
  const progress = entry.progress;
  if (progress?.kind !== 'items' || (step.type !== 'action' && step.type !== 'execute')) return [];
  if (step.type === 'action' && !progress.decided) {
    const decision = DECISIONS[actionTypeOf(step.action) ?? 'execute'];
    if (decision !== undefined) return [decisionMade(run, decision, step.action.reason)];
  }
  if (progress.pending_effect !== null) return [];
  const items: readonly ExecuteItem[] = step.execute ?? [];
  const item = items[progress.next_item];
  if (item === undefined) return [completed(run, { results: progress.results }, targetOf(step, 'next'))];
  return itemEvents(run, item, progress.next_item);
}

function decisionMade(run: RunContext, decision: StepDecision, reason: string | undefined): ExecutionEvent {
  const rendered = reason === undefined ? null : textOf(renderTemplate(reason, run.scope, { now: run.env.now }).value);
  const { entry, env } = run;
  return { type: 'DecisionMade', data: { run: entry.run, step_id: entry.step_id, path: entry.path, decision, reason: rendered, at: env.now } };
}

function itemEvents(run: RunContext, item: ExecuteItem, index: number): Events {
  const { entry, env, state } = run;
  const key = idempotencyKey(state.execution_id, entry.thread, entry.step_id, entry.visit, index);
  const ids: ApprovalIds = {
    approval_id: approvalId(state.execution_id, key),
    execution_id: state.execution_id,
    workflow_id: state.workflow_id,
    step_id: entry.step_id,
  };
  const rendered = renderItem(item, run.scope, env.now, ids);
  if (!rendered.ok) return [stepFailure(entry, run.step, rendered.error, env.now)];
  const id = effectId(state.execution_id, state.effect_count);
  const requested: ExecutionEvent = {
    type: 'EffectRequested',
    data: {
      effect_id: id,
      run: entry.run,
      step_id: entry.step_id,
      path: entry.path,
      item_index: index,
      kind: rendered.kind,
      request: rendered.request,
      idempotency_key: key,
      deadline: entry.deadline,
      unresolved: rendered.unresolved,
      at: env.now,
    },
  };
  // A log line needs no outside world: it is recorded and done in the same breath.
  if (rendered.kind === 'log') return [requested, { type: 'EffectCompleted', data: { effect_id: id, result: { logged: true }, at: env.now } }];
  if (rendered.approval !== null) return [approvalRequested(run, rendered.approval), requested];
  return [requested];
}

export function approvalRequested(run: RunContext, approval: ApprovalEffectRequest): ExecutionEvent {
  const { entry, env } = run;
  return {
    type: 'ApprovalRequested',
    data: {
      run: entry.run,
      step_id: entry.step_id,
      path: entry.path,
      approval_id: approval.approval_id,
      approver_role: approval.approver_role,
      entity: approval.entity,
      entity_id: approval.entity_id,
      reason: approval.reason,
      data: approval.data,
      expires_at: approval.expires_at,
      blocking: approval.blocking,
      at: env.now,
    },
  };
}
