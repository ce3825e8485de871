import { parseDuration } from '../shared/duration.js';
import type { StepType } from './schema-steps.js';
import { validateCondition } from './validate-conditions.js';
import { validateExecuteList } from './validate-execute.js';
import { checkDuration, isObject, pointerTo, rejectSecrets, report } from './walk.js';
import type { Walk } from './walk.js';

/** Walks a nested step list (parallel branches or a foreach body). */
export type NestedWalker = (list: unknown, pointer: string, kind: 'parallel' | 'foreach') => void;

type Step = Record<string, unknown>;

/** Names a foreach item may not take: they would hide context the body relies on. */
const RESERVED_ITEM_VARS = ['_index', 'event', 'secrets', 'now'];

function settings(step: Step, key: string): Step | undefined {
  const value = step[key];
  return isObject(value) ? value : undefined;
}

function checkRetry(walk: Walk, step: Step, pointer: string): void {
  const retry = settings(step, 'retry');
  if (retry === undefined) return;
  const at = pointerTo(pointer, 'retry');
  checkDuration(walk, retry['initial_interval'], pointerTo(at, 'initial_interval'));
  checkDuration(walk, retry['max_interval'], pointerTo(at, 'max_interval'));
  const initial = typeof retry['initial_interval'] === 'string' ? parseDuration(retry['initial_interval']) : undefined;
  const max = typeof retry['max_interval'] === 'string' ? parseDuration(retry['max_interval']) : undefined;
  if (initial !== undefined && max !== undefined && initial > max) {
    report(walk, pointerTo(at, 'max_interval'), 'must not be shorter than initial_interval');
  }
}

function checkCondition(walk: Walk, step: Step, pointer: string): void {
  const hasCondition = Object.hasOwn(step, 'condition');
  const hasRule = Object.hasOwn(step, 'rule_id');
  if (hasCondition && hasRule) report(walk, pointerTo(pointer, 'rule_id'), 'use either condition or rule_id, not both');
  else if (!hasCondition && !hasRule) report(walk, pointerTo(pointer, 'condition'), 'is required (or rule_id of a stored rule)');
  if (hasCondition) validateCondition(walk, step['condition'], pointerTo(pointer, 'condition'));
}

function checkAction(walk: Walk, step: Step, pointer: string): void {
  const action = settings(step, 'action');
  if (action !== undefined) {
    const at = pointerTo(pointer, 'action');
    const type = action['type'];
    const alias = action['action'];
    if (type === undefined && alias === undefined) report(walk, pointerTo(at, 'type'), 'is required');
    else if (type !== undefined && alias !== undefined && type !== alias) {
      report(walk, pointerTo(at, 'action'), 'is an alias of action.type and must not differ from it');
    }
    rejectSecrets(walk, action['reason'], pointerTo(at, 'reason'));
  }
  validateExecuteList(walk, step['execute'], pointerTo(pointer, 'execute'));
}

function checkForeach(walk: Walk, step: Step, pointer: string, nested: NestedWalker): void {
  const foreach = settings(step, 'foreach');
  if (foreach === undefined) return;
  const at = pointerTo(pointer, 'foreach');
  const itemVar = foreach['item_var'];
  if (typeof itemVar === 'string' && RESERVED_ITEM_VARS.includes(itemVar)) {
    report(walk, pointerTo(at, 'item_var'), `"${itemVar}" is reserved; choose another name`);
  }
  rejectSecrets(walk, foreach['items'], pointerTo(at, 'items'));
  nested(foreach['steps'], pointerTo(at, 'steps'), 'foreach');
}

/** Checks what the step's schema cannot: durations, conditions, items, nested steps. */
export function checkStepSettings(walk: Walk, type: StepType, step: Step, pointer: string, nested: NestedWalker): void {
  checkDuration(walk, step['timeout'], pointerTo(pointer, 'timeout'));
  checkRetry(walk, step, pointer);
  switch (type) {
    case 'condition':
      return checkCondition(walk, step, pointer);
    case 'action':
      return checkAction(walk, step, pointer);
    case 'execute':
      return validateExecuteList(walk, step['execute'], pointerTo(pointer, 'execute'));
    case 'parallel':
      return nested(settings(step, 'parallel')?.['steps'], `${pointer}/parallel/steps`, 'parallel');
    case 'foreach':
      return checkForeach(walk, step, pointer, nested);
    case 'wait': {
      const wait = settings(step, 'wait');
      return checkDuration(walk, wait?.['timeout'], `${pointer}/wait/timeout`);
    }
    case 'approval': {
      const approval = settings(step, 'approval');
      checkDuration(walk, approval?.['expires_in'], `${pointer}/approval/expires_in`);
      return rejectSecrets(walk, approval, pointerTo(pointer, 'approval'));
    }
  }
}
