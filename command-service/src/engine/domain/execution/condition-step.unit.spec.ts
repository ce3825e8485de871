import type { Condition, ConditionLeaf, RuleConditions } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { MAX_INLINED_CONDITIONS } from './condition-step.js';
import { referencedRuleIds } from './definition.js';
import { Driver, T0, definitionOf } from './spec-driver.js';

const branch = (condition: Condition | undefined, extra: { rule_id?: string; on_error?: string } = {}) =>
  definitionOf([
    { id: 'check', type: 'condition', ...(condition === undefined ? {} : { condition }), ...extra, on_true: 'yes', on_false: 'no' },
    { id: 'yes', type: 'action', action: { type: 'allow' } },
    { id: 'no', type: 'action', action: { type: 'block' } },
    { id: 'oops', type: 'action', action: { type: 'block', reason: 'could not evaluate' } },
  ]);

const decide = (condition: Condition | undefined, payload: Record<string, unknown>, options: { rules?: RuleConditions; rule_id?: string; on_error?: string } = {}) => {
  const { rules, ...extra } = options;
  const d = Driver.start(branch(condition, extra), { payload, ...(rules === undefined ? {} : { rules }) });
  return d;
};
const decisionOf = (d: Driver) => (d.state.status === 'completed' ? d.state.decision : d.state.status);

const order = { order: { total: 120, status: 'paid', tags: ['vip', 'eu'], email: 'ann@example.com', placed_at: '2024-05-01T09:00:00Z', coupon: null } };

describe('condition step', () => {
  it.each<[string, ConditionLeaf, 'allowed' | 'blocked']>([
    ['eq', { field: 'order.status', operator: 'eq', value: 'paid' }, 'allowed'],
    ['== alias', { field: 'order.total', operator: '==', value: 120 }, 'allowed'],
    ['neq', { field: 'order.status', operator: 'neq', value: 'paid' }, 'blocked'],
    ['gt', { field: 'order.total', operator: 'gt', value: 100 }, 'allowed'],
    ['gte', { field: 'order.total', operator: '>=', value: 121 }, 'blocked'],
    ['lt', { field: 'order.total', operator: 'lt', value: 200 }, 'allowed'],
    ['lte dates', { field: 'order.placed_at', operator: 'lte', value: '2024-05-01T10:00:00+00:00' }, 'allowed'],
    ['in', { field: 'order.status', operator: 'in', value: ['paid', 'shipped'] }, 'allowed'],
    ['not_in', { field: 'order.status', operator: 'not_in', value: ['paid'] }, 'blocked'],
    ['contains', { field: 'order.tags', operator: 'contains', value: 'vip' }, 'allowed'],
    ['not_contains', { field: 'order.tags', operator: 'not_contains', value: 'vip' }, 'blocked'],
    ['starts_with', { field: 'order.email', operator: 'starts_with', value: 'ann' }, 'allowed'],
    ['ends_with', { field: 'order.email', operator: 'ends_with', value: '.org' }, 'blocked'],
    ['regex', { field: 'order.email', operator: 'regex', value: '^[a-z]+@example\\.com$' }, 'allowed'],
    ['exists', { field: 'order.coupon', operator: 'exists' }, 'allowed'],
    ['not_exists', { field: 'order.refund', operator: 'not_exists' }, 'allowed'],
    ['template value', { field: 'order.total', operator: 'eq', value: '{{order.total}}' }, 'allowed'],
  ])('%s routes on its result', (_name, leaf, expected) => {
    expect(decisionOf(decide(leaf, order))).toBe(expected);
  });

  it('records the result and the evaluator trace', () => {
    const d = decide({ and: [{ field: 'order.total', operator: 'gt', value: 100 }, { not: { field: 'order.status', operator: 'eq', value: 'void' } }] }, order);
    const evaluated = d.history.find((event) => event.type === 'ConditionEvaluated');
    expect(evaluated?.data).toMatchObject({ run: 0, step_id: 'check', path: ['check'], result: true, rule_id: null, at: T0 });
    expect(evaluated?.type === 'ConditionEvaluated' && Array.isArray(evaluated.data.trace) && evaluated.data.trace.length).toBe(2);
    expect(d.timeline()).toEqual(['check:completed', 'yes:completed']);
  });

  it('fails the step with an evaluation error on a missing field, and goes to on_error', () => {
    const d = decide({ field: 'order.missing', operator: 'gt', value: 1 }, order, { on_error: 'oops' });
    const failed = d.history.find((event) => event.type === 'StepFailed');
    expect(failed?.type === 'StepFailed' && failed.data.error.kind).toBe('evaluation');
    expect(d.history.find((event) => event.type === 'ConditionEvaluated')?.data).toMatchObject({ result: null });
    expect(d.timeline()).toEqual(['check:failed', 'oops:completed']);
  });

  it('fails the execution on an evaluation error without on_error', () => {
    const d = decide({ field: 'order.total', operator: 'gt', value: 'lots' }, order);
    expect(d.state.status === 'failed' && d.state.error.kind).toBe('evaluation');
  });

  it('evaluates a stored rule supplied on the command, also inside groups', () => {
    const rules: RuleConditions = { big: { field: 'order.total', operator: 'gte', value: 100 }, paid: { field: 'order.status', operator: 'eq', value: 'paid' } };
    expect(decisionOf(decide(undefined, order, { rules, rule_id: 'big' }))).toBe('allowed');
    expect(decisionOf(decide({ and: [{ rule_id: 'big' }, { not: { rule_id: 'paid' } }] }, order, { rules }))).toBe('blocked');
    expect(decide(undefined, order, { rules, rule_id: 'big' }).history.find((event) => event.type === 'ConditionEvaluated')?.data).toMatchObject({ rule_id: 'big' });
  });

  it('fails with an evaluation error when a rule is not supplied or rules refer to each other in a cycle', () => {
    const missing = decide(undefined, order, { rule_id: 'gone' });
    expect(missing.state.status === 'failed' && missing.state.error).toEqual({ kind: 'evaluation', message: 'rule gone was not found' });
    const cycle = decide(undefined, order, { rule_id: 'a', rules: { a: { rule_id: 'b' }, b: { or: [{ rule_id: 'a' }] } } });
    expect(cycle.state.status === 'failed' && cycle.state.error.message).toMatch(/too deeply/);
  });

  it('fails with an evaluation error, before evaluating anything, when rules referencing rules multiply past the budget', () => {
    // Each rule references the next thirty times: 30^4 = 810,000 conditions once inlined.
    const fan = (next: string): Condition => ({ or: Array.from({ length: 30 }, () => ({ rule_id: next })) });
    const rules: RuleConditions = { r0: fan('r1'), r1: fan('r2'), r2: fan('r3'), r3: fan('r4'), r4: { field: 'order.total', operator: 'gt', value: 1 } };
    const d = decide(undefined, order, { rules, rule_id: 'r0', on_error: 'oops' });
    const failed = d.history.find((event) => event.type === 'StepFailed');
    expect(failed?.type === 'StepFailed' && failed.data.error).toEqual({ kind: 'evaluation', message: `the condition and the rules it references come to more than ${MAX_INLINED_CONDITIONS} conditions` });
    expect(d.history.find((event) => event.type === 'ConditionEvaluated')?.data).toMatchObject({ result: null, trace: null });
    expect(d.timeline()).toEqual(['check:failed', 'oops:completed']);
    // Within the budget the same shape evaluates: 30 × 30 + 31 conditions.
    expect(decisionOf(decide(undefined, order, { rules: { r0: fan('r1'), r1: fan('r4'), r4: rules['r4']! }, rule_id: 'r0' }))).toBe('allowed');
  });

  it('lists the rules a definition references, for the runtime to load', () => {
    const definition = definitionOf([
      { id: 'a', type: 'condition', rule_id: 'r1', on_true: 'b' },
      {
        id: 'b',
        type: 'parallel',
        parallel: { strategy: 'best_effort', steps: [{ id: 'c', type: 'condition', condition: { or: [{ rule_id: 'r2' }, { not: { rule_id: 'r0' } }] } }] },
      },
    ]);
    expect(referencedRuleIds(definition)).toEqual(['r0', 'r1', 'r2']);
  });

  it('ends the flow when the result has no branch to follow', () => {
    const d = Driver.start(definitionOf([{ id: 'check', type: 'condition', condition: { field: 'order.total', operator: 'gt', value: 1000 }, on_true: 'yes' }, { id: 'yes', type: 'action', action: { type: 'allow' } }]), {
      payload: order,
    });
    expect(d.timeline()).toEqual(['check:completed']);
    expect(decisionOf(d)).toBe('executed');
  });
});
