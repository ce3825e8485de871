import type { SafeRegex } from '@iwf/contracts';
import { compileSafeRegex, DEFAULT_REGEX_STEP_BUDGET, testSafeRegex } from '@iwf/contracts';
import type { JsonValue } from '../json.js';
import type { Outcome } from './compare.js';
import { equal, includesEqual, order, typeName } from './compare.js';
import type { Operator } from './operators.js';

export type ValueOperator = Exclude<Operator, 'exists' | 'not_exists'>;

const ok = (value: boolean): Outcome<boolean> => ({ ok: true, value });
const fail = (message: string): Outcome<never> => ({ ok: false, message });

/**
 * What the expected value must be, whatever the field holds; checked when the condition is
 * parsed (if the value has no template) and again after rendering.
 */
export const expectedProblem = (operator: ValueOperator, expected: JsonValue): string | undefined => {
  switch (operator) {
    case 'in':
    case 'not_in':
      return Array.isArray(expected) ? undefined : `${operator} needs an array value, got ${typeName(expected)}`;
    case 'starts_with':
    case 'ends_with':
    case 'regex':
      return typeof expected === 'string' ? undefined : `${operator} needs a string value, got ${typeName(expected)}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof expected === 'number' || typeof expected === 'string'
        ? undefined
        : `${operator} needs a number or string value, got ${typeName(expected)}`;
    case 'eq':
    case 'neq':
    case 'contains':
    case 'not_contains':
      return undefined;
  }
};

export interface ApplyContext {
  readonly regex?: SafeRegex;
  readonly regexStepBudget?: number;
}

export const applyOperator = (
  operator: ValueOperator,
  actual: JsonValue,
  expected: JsonValue,
  context: ApplyContext = {},
): Outcome<boolean> => {
  const problem = expectedProblem(operator, expected);
  if (problem !== undefined) return fail(problem);
  switch (operator) {
    case 'eq':
      return equal(actual, expected);
    case 'neq':
      return negate(equal(actual, expected));
    case 'gt':
      return compareWith(actual, expected, (c) => c > 0);
    case 'gte':
      return compareWith(actual, expected, (c) => c >= 0);
    case 'lt':
      return compareWith(actual, expected, (c) => c < 0);
    case 'lte':
      return compareWith(actual, expected, (c) => c <= 0);
    case 'in':
      return ok(includesEqual(expected as readonly JsonValue[], actual));
    case 'not_in':
      return ok(!includesEqual(expected as readonly JsonValue[], actual));
    case 'contains':
      return contains(actual, expected);
    case 'not_contains':
      return negate(contains(actual, expected));
    case 'starts_with':
      return onStrings(operator, actual, expected as string, (a, e) => a.startsWith(e));
    case 'ends_with':
      return onStrings(operator, actual, expected as string, (a, e) => a.endsWith(e));
    case 'regex':
      return matchRegex(actual, expected as string, context);
  }
};

const negate = (outcome: Outcome<boolean>): Outcome<boolean> => (outcome.ok ? ok(!outcome.value) : outcome);

const compareWith = (actual: JsonValue, expected: JsonValue, test: (comparison: number) => boolean): Outcome<boolean> => {
  const comparison = order(actual, expected);
  return comparison.ok ? ok(test(comparison.value)) : comparison;
};

/** A substring of a string field, or an element (by `eq`) of an array field. */
const contains = (actual: JsonValue, expected: JsonValue): Outcome<boolean> => {
  if (Array.isArray(actual)) return ok(includesEqual(actual, expected));
  if (typeof actual !== 'string') return fail(`contains needs a string or array field, got ${typeName(actual)}`);
  if (typeof expected !== 'string') return fail(`contains on a string field needs a string value, got ${typeName(expected)}`);
  return ok(actual.includes(expected));
};

const onStrings = (
  operator: ValueOperator,
  actual: JsonValue,
  expected: string,
  test: (actual: string, expected: string) => boolean,
): Outcome<boolean> =>
  typeof actual === 'string' ? ok(test(actual, expected)) : fail(`${operator} needs a string field, got ${typeName(actual)}`);

const matchRegex = (actual: JsonValue, pattern: string, context: ApplyContext): Outcome<boolean> => {
  if (typeof actual !== 'string') return fail(`regex needs a string field, got ${typeName(actual)}`);
  const compiled = context.regex?.source === pattern ? { ok: true as const, regex: context.regex } : compileSafeRegex(pattern);
  if (!compiled.ok) return fail(compiled.message);
  const match = testSafeRegex(compiled.regex, actual, context.regexStepBudget ?? DEFAULT_REGEX_STEP_BUDGET);
  return match.ok ? ok(match.matched) : fail(match.message);
};
