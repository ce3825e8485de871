import type { SafeRegex } from '@iwf/contracts';
import { compileSafeRegex } from '@iwf/contracts';
import type { JsonValue } from '../json.js';
import { hasOwn, isPlainObject } from '../json.js';
import { isSecretPath, resolveReference, templatePaths } from '../templates/index.js';
import { expectedProblem } from './apply.js';
import type { Operator } from './operators.js';
import { canonicalOperator, isPresenceOperator, OPERATORS } from './operators.js';
import type { ConditionError, ConditionNode, ParsedCondition } from './types.js';
import { DEFAULT_MAX_CONDITION_DEPTH } from './types.js';

/**
 * Checks a condition's shape before any data is looked at, so a malformed branch is an error
 * even where evaluation would short-circuit past it. Leaf keys are `field`, `operator` and
 * `value` only (a misspelt key is an error, not ignored); a group is an object with exactly
 * one of `and`, `or` (non-empty arrays) or `not` (a condition).
 */
export const parseCondition = (raw: unknown, options: { readonly maxDepth?: number } = {}): ParsedCondition => {
  const outcome = parseNode(raw, '', 1, options.maxDepth ?? DEFAULT_MAX_CONDITION_DEPTH);
  return 'message' in outcome ? { ok: false, error: outcome } : { ok: true, condition: outcome };
};

type NodeOutcome = ConditionNode | ConditionError;

const GROUP_KEYS = ['and', 'or', 'not'] as const;
const LEAF_KEYS = new Set(['field', 'operator', 'value']);

const error = (pointer: string, message: string, path?: string): ConditionError =>
  path === undefined ? { pointer, message } : { pointer, message, path };

const parseNode = (raw: unknown, pointer: string, depth: number, maxDepth: number): NodeOutcome => {
  if (depth > maxDepth) return error(pointer, `conditions nest deeper than ${maxDepth} levels`);
  if (!isPlainObject(raw)) return error(pointer, 'a condition must be an object');
  const groupKey = GROUP_KEYS.find((key) => hasOwn(raw, key));
  if (groupKey === undefined) return parseLeaf(raw, pointer);
  if (Object.keys(raw).length !== 1) {
    return error(pointer, `a group condition has exactly one key (and, or or not); found ${Object.keys(raw).join(', ')}`);
  }
  const body = raw[groupKey];
  const at = `${pointer}/${groupKey}`;
  if (groupKey === 'not') {
    const item = parseNode(body, at, depth + 1, maxDepth);
    return 'message' in item ? item : { kind: 'not', pointer, item };
  }
  if (!Array.isArray(body) || body.length === 0) return error(at, `${groupKey} needs a non-empty array of conditions`);
  const items: ConditionNode[] = [];
  for (const [index, child] of (body as readonly unknown[]).entries()) {
    const item = parseNode(child, `${at}/${index}`, depth + 1, maxDepth);
    if ('message' in item) return item;
    items.push(item);
  }
  return { kind: groupKey, pointer, items };
};

const parseLeaf = (raw: Readonly<Record<string, unknown>>, pointer: string): NodeOutcome => {
  const unknownKey = Object.keys(raw).find((key) => !LEAF_KEYS.has(key));
  if (unknownKey !== undefined) return error(`${pointer}/${escapeKey(unknownKey)}`, `unknown condition key "${unknownKey}"`);
  const field = raw['field'];
  const fieldProblem = checkField(field);
  if (fieldProblem !== undefined) return error(`${pointer}/field`, fieldProblem);
  if (!hasOwn(raw, 'operator')) return error(`${pointer}/operator`, 'operator is required');
  const operator = canonicalOperator(raw['operator']);
  if (operator === undefined) {
    const known = `${OPERATORS.join(', ')} or == != > >= < <=`;
    return error(`${pointer}/operator`, `unknown operator ${JSON.stringify(raw['operator'])}; use one of ${known}`);
  }
  const leaf = { kind: 'leaf' as const, pointer, field: field as string, operator };
  if (isPresenceOperator(operator)) {
    // `{ operator: 'exists', value: false }` would read as the opposite of what it does.
    return hasOwn(raw, 'value') ? error(`${pointer}/value`, `${operator} takes no value`) : { ...leaf, value: undefined };
  }
  if (!hasOwn(raw, 'value')) return error(pointer, `${operator} needs a value`);
  const value = raw['value'];
  const valueProblem = checkValue(operator, value);
  if (valueProblem !== undefined) return error(`${pointer}/value`, valueProblem);
  const regex = staticRegex(operator, value);
  if (regex !== undefined && 'message' in regex) return error(`${pointer}/value`, regex.message);
  return regex === undefined ? { ...leaf, value } : { ...leaf, value, regex };
};

const checkField = (field: unknown): string | undefined => {
  if (typeof field !== 'string') return 'field must be a string path such as "order.total"';
  if (isSecretPath(field)) return 'secrets cannot be used in conditions';
  const status = resolveReference(field, undefined, {}).status;
  return status === 'invalid' ? `field ${JSON.stringify(field)} is not a valid path` : undefined;
};

/** Value checks that need no data: no secrets, and the right type when there is no template. */
const checkValue = (operator: Exclude<Operator, 'exists' | 'not_exists'>, value: unknown): string | undefined => {
  const paths = templatePaths(value);
  if (paths.some(isSecretPath)) return 'secrets cannot be used in conditions';
  if (paths.length > 0) return undefined;
  return expectedProblem(operator, value as JsonValue);
};

const staticRegex = (operator: Operator, value: unknown): SafeRegex | { message: string } | undefined => {
  if (operator !== 'regex' || typeof value !== 'string' || templatePaths(value).length > 0) return undefined;
  const compiled = compileSafeRegex(value);
  return compiled.ok ? compiled.regex : { message: compiled.message };
};

const escapeKey = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
