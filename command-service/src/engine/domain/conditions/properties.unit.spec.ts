import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './evaluate.js';
import { OPERATORS } from './operators.js';
import type { ConditionResult } from './types.js';

const fields = ['a', 'b', 'a.b', 'c.0', 'c.length', 'c[1]', 'd', 'now', 'missing.x'];
const fieldArb = fc.constantFrom(...fields);
const operatorArb = fc.constantFrom<string>(...OPERATORS, '==', '!=', '>', '>=', '<', '<=');
const scalarArb = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.constantFrom('2026-03-01', '2026-03-01T10:00:00Z', '10', 'x', '', 'a.*'), fc.boolean(), fc.constant(null));
const valueArb = fc.oneof(
  scalarArb,
  fc.array(scalarArb, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('{{a}}', '${b}', '{{c}}', 'x {{a}} y', '{{now}}', '{{now_plus_1h}}', '{{missing.x}}', '{{ bad path }}', '^(a+)+$'),
);
const contextArb = fc.record(
  {
    a: fc.oneof(scalarArb, fc.record({ b: scalarArb })),
    b: fc.oneof(scalarArb, fc.jsonValue({ maxDepth: 2 })),
    c: fc.oneof(fc.array(scalarArb, { maxLength: 4 }), fc.string()),
    d: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);
const leafArb = fc.record({ field: fieldArb, operator: operatorArb, value: valueArb }, { requiredKeys: ['field', 'operator'] });
const conditionArb: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'condition' },
    { weight: 3, arbitrary: leafArb },
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('node').map((not) => ({ not })),
  ),
})).node;
const options = { now: '2026-03-01T09:00:00Z' };

const expectWellFormed = (result: ConditionResult): void => {
  if (result.ok) expect(typeof result.value).toBe('boolean');
  else expect(typeof result.error.message).toBe('string');
  expect(() => JSON.stringify(result)).not.toThrow();
};
const outcome = (result: ConditionResult): boolean | 'error' => (result.ok ? result.value : 'error');

describe('evaluateCondition properties', () => {
  it('never throws on arbitrary JSON conditions and contexts', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (condition, context) => {
        expectWellFormed(evaluateCondition(condition, context, options));
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws on arbitrary values of any kind', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (condition, context) => {
        expectWellFormed(evaluateCondition(condition, context, options));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on well-shaped conditions over matching contexts', () => {
    fc.assert(
      fc.property(conditionArb, contextArb, (condition, context) => {
        expectWellFormed(evaluateCondition(condition, context, options));
      }),
      { numRuns: 2_000 },
    );
  });

  it('not inverts the result and keeps errors', () => {
    fc.assert(
      fc.property(conditionArb, contextArb, (condition, context) => {
        const plain = outcome(evaluateCondition(condition, context, options));
        const negated = outcome(evaluateCondition({ not: condition }, context, options));
        expect(negated).toBe(plain === 'error' ? 'error' : !plain);
      }),
      { numRuns: 1_000 },
    );
  });

  it('follows De Morgan, errors included, since both sides short-circuit alike', () => {
    fc.assert(
      fc.property(conditionArb, conditionArb, contextArb, (x, y, context) => {
        const left = evaluateCondition({ not: { and: [x, y] } }, context, options);
        const right = evaluateCondition({ or: [{ not: x }, { not: y }] }, context, options);
        expect(outcome(left)).toBe(outcome(right));
      }),
      { numRuns: 1_000 },
    );
  });

  it.each([
    ['eq', 'neq'],
    ['in', 'not_in'],
    ['contains', 'not_contains'],
    ['exists', 'not_exists'],
    ['gt', 'lte'],
    ['lt', 'gte'],
  ])('%s and %s are complements', (positive, negative) => {
    fc.assert(
      fc.property(fieldArb, valueArb, contextArb, (field, value, context) => {
        const leaf = (operator: string) => (operator.endsWith('exists') ? { field, operator } : { field, operator, value });
        const yes = outcome(evaluateCondition(leaf(positive), context, options));
        const no = outcome(evaluateCondition(leaf(negative), context, options));
        expect(no).toBe(yes === 'error' ? 'error' : !yes);
      }),
      { numRuns: 500 },
    );
  });

  it('eq is symmetric', () => {
    fc.assert(
      fc.property(fc.oneof(scalarArb, fc.jsonValue({ maxDepth: 2 })), fc.oneof(scalarArb, fc.jsonValue({ maxDepth: 2 })), (x, y) => {
        const context = { x, y };
        const forward = outcome(evaluateCondition({ field: 'x', operator: 'eq', value: '{{y}}' }, context));
        const backward = outcome(evaluateCondition({ field: 'y', operator: 'eq', value: '{{x}}' }, context));
        expect(forward).toBe(backward);
      }),
      { numRuns: 1_000 },
    );
  });
});
