import { ConditionLeafSchema, RuleRefSchema, canonicalOperator, conditionGroupSchemas } from './schema-conditions.js';
import type { ConditionOperator } from './schema-conditions.js';
import { Type } from '@sinclair/typebox';
import { schemaErrors } from './schema-errors.js';
import { containsTemplate, isTemplate } from './templates.js';
import { unknownKey } from './suggest.js';
import { WORKFLOW_LIMITS } from './limits.js';
import { compileSafeRegex, MAX_PATTERN_LENGTH } from '../shared/regex/index.js';
import { isObject, pointerTo, rejectSecrets, report } from './walk.js';
import type { Walk } from './walk.js';

const GROUPS = conditionGroupSchemas(Type.Unknown());
const GROUP_KEYS = ['and', 'or', 'not'] as const;
const LEAF_KEYS = ['field', 'operator', 'value'];
const SHAPES = 'a condition is {field, operator, value}, {and: [...]}, {or: [...]}, {not: {...}} or {rule_id}';

/** Why a leaf's value does not suit its operator, or undefined when it does. */
function valueError(operator: ConditionOperator, hasValue: boolean, value: unknown): string | undefined {
  if (operator === 'exists' || operator === 'not_exists') {
    return hasValue ? `"${operator}" takes no value` : undefined;
  }
  if (!hasValue) return 'is required';
  const template = typeof value === 'string' && isTemplate(value);
  switch (operator) {
    case 'in':
    case 'not_in':
      return Array.isArray(value) || template ? undefined : 'must be an array, or a template giving one';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof value === 'number' || typeof value === 'string' ? undefined : 'must be a number, an ISO date or a template';
    case 'starts_with':
    case 'ends_with':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'regex':
      return regexError(value);
    case 'eq':
    case 'neq':
    case 'contains':
    case 'not_contains':
      return undefined;
  }
}

/**
 * The engine's own compiler decides, so publishing accepts exactly the patterns an execution
 * can run (`(?i)` included) and refuses what it would refuse (lookaround, backreferences).
 * A pattern with a template is compiled once rendered, at run time.
 */
function regexError(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a regular expression string';
  if (containsTemplate(value)) return value.length > MAX_PATTERN_LENGTH ? `must have at most ${MAX_PATTERN_LENGTH} characters` : undefined;
  const compiled = compileSafeRegex(value);
  return compiled.ok ? undefined : compiled.message;
}

function validateLeaf(walk: Walk, leaf: Record<string, unknown>, pointer: string): void {
  walk.errors.push(...schemaErrors(ConditionLeafSchema, leaf, pointer, (key) => unknownKey('condition', key, LEAF_KEYS)));
  const operator = typeof leaf['operator'] === 'string' ? canonicalOperator(leaf['operator']) : undefined;
  if (operator === undefined) return;
  const problem = valueError(operator, Object.hasOwn(leaf, 'value'), leaf['value']);
  if (problem !== undefined) report(walk, pointerTo(pointer, 'value'), problem);
  rejectSecrets(walk, leaf['value'], pointerTo(pointer, 'value'));
}

/** Validates a condition tree: shapes, operators, values, and nesting depth. */
export function validateCondition(walk: Walk, condition: unknown, pointer: string, depth = 1): void {
  if (!isObject(condition)) {
    report(walk, pointer, `must be an object; ${SHAPES}`);
    return;
  }
  if (depth > WORKFLOW_LIMITS.maxConditionDepth) {
    report(walk, pointer, `conditions may nest at most ${WORKFLOW_LIMITS.maxConditionDepth} levels deep`);
    return;
  }
  const group = GROUP_KEYS.find((key) => Object.hasOwn(condition, key));
  if (group !== undefined) {
    const hint = (key: string) => `a condition group has exactly one of and, or, not; unexpected key "${key}"`;
    walk.errors.push(...schemaErrors(GROUPS[group], condition, pointer, hint));
    const children = condition[group];
    if (group === 'not') validateCondition(walk, children, pointerTo(pointer, 'not'), depth + 1);
    else if (Array.isArray(children)) {
      children.forEach((child, index) => validateCondition(walk, child, pointerTo(pointerTo(pointer, group), index), depth + 1));
    }
  } else if (Object.hasOwn(condition, 'rule_id')) {
    walk.errors.push(...schemaErrors(RuleRefSchema, condition, pointer, (key) => `a rule reference has only "rule_id"; unexpected key "${key}"`));
  } else if (Object.hasOwn(condition, 'field') || Object.hasOwn(condition, 'operator')) {
    validateLeaf(walk, condition, pointer);
  } else {
    report(walk, pointer, `is not a condition; ${SHAPES}`);
  }
}
