import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateParsedCondition } from './evaluate.js';
import { parseCondition } from './parse.js';

const context = {
  order: { total: 12000, items: [{ sku: 'A' }, { sku: 'B' }], created_at: '2026-03-01T08:00:00Z', coupon: null },
  customer: { tier: 'gold', verified: false, country: 'FR', limit: '10000' },
  limits: { max: 15000, tiers: ['gold', 'platinum'] },
};
const yes = { field: 'order.total', operator: 'gt', value: 100 };
const no = { field: 'order.total', operator: 'lt', value: 100 };
const broken = { field: 'order.missing', operator: 'eq', value: 1 };

describe('groups', () => {
  it.each([
    [{ and: [yes, yes] }, true],
    [{ and: [yes, no] }, false],
    [{ or: [no, yes] }, true],
    [{ or: [no, no] }, false],
    [{ not: yes }, false],
    [{ not: { not: yes } }, true],
    [{ and: [yes, { or: [no, { not: no }] }] }, true],
  ])('%j is %s', (condition, value) => {
    expect(evaluateCondition(condition, context)).toMatchObject({ ok: true, value });
  });

  it('short-circuits left to right: errors in branches not reached do not count', () => {
    expect(evaluateCondition({ or: [yes, broken] }, context)).toMatchObject({ ok: true, value: true });
    expect(evaluateCondition({ and: [no, broken] }, context)).toMatchObject({ ok: true, value: false });
  });

  it('fails on an error in a branch that is reached', () => {
    expect(evaluateCondition({ or: [no, broken] }, context)).toMatchObject({
      ok: false,
      error: { pointer: '/or/1', path: 'order.missing', message: 'field order.missing is missing' },
    });
    expect(evaluateCondition({ and: [broken, no] }, context)).toMatchObject({ ok: false, error: { pointer: '/and/0' } });
    expect(evaluateCondition({ not: broken }, context)).toMatchObject({ ok: false, error: { pointer: '/not' } });
  });

  it('rejects a malformed branch even where evaluation would not reach it', () => {
    expect(evaluateCondition({ or: [yes, { field: 'a', operator: 'like', value: 1 }] }, context)).toMatchObject({
      ok: false,
      error: { pointer: '/or/1/operator' },
    });
  });
});

describe('trace', () => {
  it('records each evaluated leaf with actual, expected and result, in order', () => {
    const result = evaluateCondition(
      { or: [{ field: 'customer.tier', operator: '==', value: 'silver' }, { field: 'order.coupon', operator: 'exists' }, no] },
      context,
    );
    expect(result).toEqual({
      ok: true,
      value: true,
      trace: [
        { pointer: '/or/0', field: 'customer.tier', operator: 'eq', actual: 'gold', expected: 'silver', result: false },
        { pointer: '/or/1', field: 'order.coupon', operator: 'exists', actual: null, result: true },
      ],
    });
  });

  it('records the failing leaf, without an actual value when the field is missing', () => {
    const result = evaluateCondition({ and: [yes, broken] }, context);
    expect(result.trace).toEqual([
      { pointer: '/and/0', field: 'order.total', operator: 'gt', actual: 12000, expected: 100, result: true },
      { pointer: '/and/1', field: 'order.missing', operator: 'eq', result: 'error' },
    ]);
  });
});

describe('templates in the value', () => {
  it('renders the value against the context first, keeping raw types', () => {
    expect(evaluateCondition({ field: 'order.total', operator: 'lte', value: '{{limits.max}}' }, context)).toMatchObject({
      ok: true,
      value: true,
      trace: [{ expected: 15000 }],
    });
    expect(evaluateCondition({ field: 'customer.tier', operator: 'in', value: '${limits.tiers}' }, context)).toMatchObject({
      ok: true,
      value: true,
    });
    expect(evaluateCondition({ field: 'order.total', operator: 'gt', value: '{{customer.limit}}' }, context)).toMatchObject({
      ok: true,
      value: true,
    });
  });

  it('renders templates inside text and inside arrays', () => {
    expect(evaluateCondition({ field: 'customer.country', operator: 'eq', value: '{{customer.country}}' }, context)).toMatchObject({ value: true });
    expect(evaluateCondition({ field: 'order.items.0.sku', operator: 'in', value: ['{{order.items[1].sku}}', 'A'] }, context)).toMatchObject({ value: true });
    expect(evaluateCondition({ field: 'order.total', operator: 'eq', value: '{{order.items.length}}0' }, { order: { total: 20, items: [1, 2] } })).toMatchObject({ value: true });
  });

  it('compares dates against {{now}} and now offsets from the supplied instant', () => {
    const options = { now: '2026-03-01T09:00:00Z' };
    expect(evaluateCondition({ field: 'order.created_at', operator: 'lt', value: '{{now}}' }, context, options)).toMatchObject({ value: true });
    expect(evaluateCondition({ field: 'order.created_at', operator: 'gt', value: '{{now_minus_30m}}' }, context, options)).toMatchObject({ value: false });
    expect(evaluateCondition({ field: 'now', operator: 'gt', value: '{{order.created_at}}' }, context, options)).toMatchObject({ value: true });
  });

  it('fails when the value refers to a missing path', () => {
    expect(evaluateCondition({ field: 'customer.country', operator: 'eq', value: '{{cart.country}}' }, context)).toMatchObject({
      ok: false,
      error: { pointer: '/value', path: 'cart.country', message: 'value refers to the missing path cart.country' },
    });
    expect(evaluateCondition({ field: 'order.created_at', operator: 'lt', value: '{{now}}' }, context)).toMatchObject({ ok: false });
  });

  it('checks a rendered regex pattern when the condition is evaluated', () => {
    const condition = { field: 'customer.tier', operator: 'regex', value: '{{pattern}}' };
    expect(evaluateCondition(condition, { ...context, pattern: '^go' })).toMatchObject({ ok: true, value: true });
    expect(evaluateCondition(condition, { ...context, pattern: '(?=g)' })).toMatchObject({ ok: false, error: { message: /lookahead/ } });
  });

  it('does not re-render a value taken from the context', () => {
    const data = { a: '{{b}}', b: 'x', c: '{{b}}' };
    expect(evaluateCondition({ field: 'c', operator: 'eq', value: '{{a}}' }, data)).toMatchObject({ ok: true, value: true });
  });
});

describe('shape errors, with pointers', () => {
  it.each([
    [null, '', /must be an object/],
    [[yes], '', /must be an object/],
    [{ and: [] }, '/and', /non-empty array/],
    [{ or: yes }, '/or', /non-empty array/],
    [{ and: [yes], or: [yes] }, '', /exactly one key/],
    [{ and: [yes], field: 'x' }, '', /exactly one key/],
    [{ not: [yes] }, '/not', /must be an object/],
    [{ field: 'a', operator: 'eq', value: 1, opertor: 'x' }, '/opertor', /unknown condition key "opertor"/],
    [{ field: 'a b', operator: 'eq', value: 1 }, '/field', /not a valid path/],
    [{ field: 5, operator: 'eq', value: 1 }, '/field', /must be a string path/],
    [{ field: 'secrets.token', operator: 'exists' }, '/field', /secrets cannot be used/],
    [{ field: 'a', operator: 'eq', value: 'Bearer {{secrets.token}}' }, '/value', /secrets cannot be used/],
    [{ field: 'a', operator: 'EQ', value: 1 }, '/operator', /unknown operator "EQ"/],
    [{ field: 'a', value: 1 }, '/operator', /operator is required/],
    [{ field: 'a', operator: 'eq' }, '', /eq needs a value/],
    [{ field: 'a', operator: 'in', value: 'x' }, '/value', /in needs an array value/],
    [{ field: 'a', operator: 'regex', value: '(?<=a)' }, '/value', /lookahead and lookbehind/],
    [{ field: 'a', operator: 'lt', value: [1] }, '/value', /lt needs a number or string value/],
    [{ or: [yes, { and: [no, { not: 'x' }] }] }, '/or/1/and/1/not', /must be an object/],
  ])('%j fails at %j', (condition, pointer, message) => {
    const result = evaluateCondition(condition, context);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.pointer).toBe(pointer);
      expect(result.error.message).toMatch(message);
    }
  });

  it('escapes unknown keys in pointers', () => {
    expect(evaluateCondition({ field: 'a', operator: 'exists', 'a/b~': 1 }, {})).toMatchObject({ error: { pointer: '/a~1b~0' } });
  });

  it('limits nesting depth', () => {
    let deep: unknown = yes;
    for (let i = 0; i < 15; i += 1) deep = { not: deep };
    expect(evaluateCondition(deep, context)).toMatchObject({ ok: true, value: false });
    expect(evaluateCondition({ not: deep }, context)).toMatchObject({ ok: false, error: { message: /deeper than 16 levels/ } });
    expect(evaluateCondition(deep, context, { maxDepth: 4 })).toMatchObject({ ok: false });
  });
});

describe('deep context values', () => {
  it('compares values far deeper than the call stack allows', () => {
    const deep = (leaf: string): unknown => {
      let value: unknown = leaf;
      for (let i = 0; i < 20_000; i += 1) value = { k: value };
      return value;
    };
    const condition = { field: 'a', operator: 'eq', value: '{{b}}' };
    expect(evaluateCondition(condition, { a: deep('x'), b: deep('x') })).toMatchObject({ ok: true, value: true });
    expect(evaluateCondition(condition, { a: deep('x'), b: deep('y') })).toMatchObject({ ok: true, value: false });
  });
});

describe('evaluateParsedCondition', () => {
  it('evaluates a condition parsed once against several contexts', () => {
    const parsed = parseCondition({ field: 'n', operator: 'gte', value: 10 });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect([5, 10, 15].map((n) => evaluateParsedCondition(parsed.condition, { n }))).toMatchObject([
      { value: false },
      { value: true },
      { value: true },
    ]);
  });
});
