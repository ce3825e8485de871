import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './evaluate.js';

/** Evaluates `x <operator> expected` with `x = actual`; returns the boolean or the error message. */
const check = (actual: unknown, operator: string, expected?: unknown): boolean | string => {
  const condition = expected === undefined ? { field: 'x', operator } : { field: 'x', operator, value: expected };
  const result = evaluateCondition(condition, { x: actual });
  return result.ok ? result.value : `error: ${result.error.message}`;
};

describe('equality: eq == neq !=', () => {
  it.each([
    [5, 'eq', 5, true],
    [5, '==', 5.0, true],
    [5, 'neq', 6, true],
    [5, '!=', 5, false],
    ['gold', 'eq', 'gold', true],
    ['gold', 'eq', 'Gold', false],
    [true, 'eq', true, true],
    [false, '!=', true, true],
    [null, 'eq', null, true],
    [null, 'eq', 'x', false],
    ['x', 'neq', null, true],
    [0, 'eq', null, false],
    [[1, { a: 2 }], 'eq', [1, { a: 2 }], true],
    [[1, 2], 'eq', [2, 1], false],
    [{ a: 1, b: [2] }, 'eq', { b: [2], a: 1 }, true],
    [{ a: 1 }, 'neq', { a: 2 }, true],
  ])('%j %s %j is %s', (actual, operator, expected, result) => {
    expect(check(actual, operator, expected)).toBe(result);
  });

  it('compares a number with a decimal string numerically', () => {
    expect(check(10, 'eq', '10')).toBe(true);
    expect(check('10.50', 'eq', 10.5)).toBe(true);
    expect(check(-3, 'eq', '-3e0')).toBe(true);
    expect(check(7, 'neq', '007')).toBe(false);
  });

  it('compares two ISO dates as instants, other strings exactly', () => {
    expect(check('2026-03-01T10:00:00+01:00', 'eq', '2026-03-01T09:00:00Z')).toBe(true);
    expect(check('2026-03-01', 'eq', '2026-03-01T00:00:00.000Z')).toBe(true);
    expect(check('2026-03-01', 'eq', 'tomorrow')).toBe(false);
    expect(check('10', 'eq', '10.0')).toBe(false);
  });

  it.each([
    [5, 'abc'],
    [5, ''],
    [true, 'true'],
    [true, 1],
    ['x', ['x']],
    [[1], { 0: 1 }],
    [5, [5]],
  ])('is an error for incomparable %j and %j', (actual, expected) => {
    expect(check(actual, 'eq', expected)).toMatch(/^error: x eq: cannot compare/);
    expect(check(actual, 'neq', expected)).toMatch(/^error: x neq: cannot compare/);
  });
});

describe('ordering: gt > gte >= lt < lte <=', () => {
  it.each([
    [10, 'gt', 9, true],
    [10, '>', 10, false],
    [10, 'gte', 10, true],
    [10, '>=', 11, false],
    [-1, 'lt', 0, true],
    [0.5, '<', 0.25, false],
    [3, 'lte', 3, true],
    [4, '<=', 3, false],
    [10, 'gt', '9', true],
    ['10', 'gt', 9, true],
    ['b', 'gt', 'a', true],
    ['B', 'gt', 'a', false],
    ['10', 'gt', '9', true],
    ['1e3', 'gte', '999.5', true],
    ['abc', 'lt', 'abd', true],
    ['2026-03-02', 'gt', '2026-03-01T23:59:59Z', true],
    ['2026-03-01T10:00:00+02:00', 'lt', '2026-03-01T09:00:00Z', true],
  ])('%j %s %j is %s', (actual, operator, expected, result) => {
    expect(check(actual, operator, expected)).toBe(result);
  });

  it.each([
    [5, 'abc', /cannot order a number and the string "abc"/],
    [null, 5, /cannot order a null and a number/],
    [true, 1, /cannot order a boolean and a number/],
    [[1], 1, /cannot order an array and a number/],
    [{}, 'a', /cannot order an object and the string "a"/],
    ['2026-03-01', 'soon', /cannot order the string "2026-03-01" \(date\) and the string "soon" \(text\)/],
    ['10', 'ten', /\(number\) and the string "ten" \(text\)/],
    [5, true, /gt needs a number or string value, got boolean/],
    [5, null, /gt needs a number or string value, got null/],
  ])('is an error for %j gt %j', (actual, expected, message) => {
    expect(check(actual, 'gt', expected)).toMatch(message);
  });
});

describe('membership: in, not_in', () => {
  it.each([
    ['gold', 'in', ['platinum', 'gold'], true],
    ['silver', 'in', ['platinum', 'gold'], false],
    ['silver', 'not_in', ['platinum', 'gold'], true],
    [5, 'in', ['5', 6], true],
    [5, 'in', ['five', true, null, 5.0], true],
    [null, 'in', [null], true],
    [{ a: 1 }, 'in', [{ a: 1 }], true],
    ['x', 'in', [], false],
    ['x', 'not_in', [], true],
  ])('%j %s %j is %s', (actual, operator, expected, result) => {
    expect(check(actual, operator, expected)).toBe(result);
  });

  it('needs an array value', () => {
    expect(check('gold', 'in', 'gold,platinum')).toMatch(/in needs an array value, got string/);
    expect(check('gold', 'not_in', { gold: true })).toMatch(/not_in needs an array value, got object/);
  });
});

describe('contains, not_contains', () => {
  it.each([
    ['hello world', 'contains', 'lo w', true],
    ['hello', 'contains', 'Hello', false],
    ['hello', 'contains', '', true],
    ['hello', 'not_contains', 'xyz', true],
    [['a', 'b'], 'contains', 'b', true],
    [[1, 2], 'contains', '2', true],
    [[{ id: 1 }], 'contains', { id: 1 }, true],
    [['a'], 'not_contains', 'b', true],
    [[], 'contains', null, false],
  ])('%j %s %j is %s', (actual, operator, expected, result) => {
    expect(check(actual, operator, expected)).toBe(result);
  });

  it('is an error on other field types or a non-string needle in a string', () => {
    expect(check(12345, 'contains', '23')).toMatch(/contains needs a string or array field, got number/);
    expect(check({ a: 1 }, 'not_contains', 'a')).toMatch(/got object/);
    expect(check('a1', 'contains', 1)).toMatch(/needs a string value, got number/);
  });
});

describe('starts_with, ends_with', () => {
  it.each([
    ['ORD-123', 'starts_with', 'ORD-', true],
    ['ORD-123', 'starts_with', 'ord-', false],
    ['ada@example.com', 'ends_with', '@example.com', true],
    ['ada@example.com', 'ends_with', '.org', false],
  ])('%j %s %j is %s', (actual, operator, expected, result) => {
    expect(check(actual, operator, expected)).toBe(result);
  });

  it('needs strings on both sides', () => {
    expect(check(123, 'starts_with', '1')).toMatch(/starts_with needs a string field, got number/);
    expect(check('123', 'ends_with', 3)).toMatch(/ends_with needs a string value, got number/);
  });
});

describe('regex', () => {
  it('searches the string with the safe matcher', () => {
    expect(check('ORD-2026-0042', 'regex', '^ORD-\\d{4}-\\d+$')).toBe(true);
    expect(check('ord-2026-0042', 'regex', '^ORD-')).toBe(false);
    expect(check('ord-2026-0042', 'regex', '(?i)^ORD-')).toBe(true);
    expect(check('xx gold xx', 'regex', 'gold|platinum')).toBe(true);
  });

  it('is an error for unsupported syntax, a non-string field or a non-string pattern', () => {
    expect(check('aa', 'regex', '(a)\\1')).toMatch(/backreferences/);
    expect(check(42, 'regex', '\\d+')).toMatch(/regex needs a string field, got number/);
    expect(check('42', 'regex', 42)).toMatch(/regex needs a string value, got number/);
  });

  it('finishes fast on (a+)+$ against a long near-miss', () => {
    const started = performance.now();
    expect(check(`${'a'.repeat(50)}!`, 'regex', '(a+)+$')).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('turns an exhausted step budget into an evaluation error', () => {
    const result = evaluateCondition({ field: 'x', operator: 'regex', value: '(a|b)*c' }, { x: 'ab'.repeat(500) }, { regexStepBudget: 100 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/step budget of 100 exhausted/);
  });
});

describe('exists, not_exists', () => {
  it.each([
    [{ x: 1 }, 'exists', true],
    [{ x: null }, 'exists', true],
    [{}, 'exists', false],
    [{ x: 0 }, 'not_exists', false],
    [{}, 'not_exists', true],
  ])('%j %s is %s', (context, operator, result) => {
    const evaluated = evaluateCondition({ field: 'x', operator }, context);
    expect(evaluated).toMatchObject({ ok: true, value: result });
  });

  it('take no value, since `value: false` would read as the opposite', () => {
    expect(evaluateCondition({ field: 'x', operator: 'exists', value: false }, {})).toMatchObject({
      ok: false,
      error: { pointer: '/value', message: 'exists takes no value' },
    });
  });

  it('are the only operators a missing field does not fail', () => {
    expect(check(undefined, 'eq', 1)).toBe('error: field x is missing');
    expect(check(undefined, 'not_in', [1])).toBe('error: field x is missing');
    expect(check(undefined, 'not_contains', 'a')).toBe('error: field x is missing');
  });
});
