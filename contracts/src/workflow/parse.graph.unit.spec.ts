import { describe, expect, it } from 'vitest';
import { allow, canonicalDoc, errorsOf, legacyDoc, pointersOf } from './parse-testing.js';

const wait = (id: string, extra = {}) => ({ id, type: 'wait', wait: { event: 'order.updated', timeout: '1h' }, ...extra });

describe('branch targets', () => {
  it('points at a dangling next in the legacy shape', () => {
    const doc = legacyDoc([allow('a', { next: 'b' }), allow('b', { next: 'nowhere' })]);
    expect(errorsOf(doc)).toEqual([{ pointer: '/steps/1/next', message: 'no step has the id "nowhere"' }]);
  });

  it('points into /definition in the canonical shape', () => {
    expect(pointersOf(canonicalDoc([allow('a', { next: 'b' }), allow('b', { next: 'nowhere' })]))).toEqual(['/definition/steps/1/next']);
  });

  it('checks every on_* target', () => {
    const doc = legacyDoc([
      { id: 'c', type: 'condition', condition: { field: 'x', operator: 'eq', value: 1 }, on_true: 'gone', on_false: 'also_gone' },
    ]);
    expect(pointersOf(doc)).toEqual(['/steps/0/on_true', '/steps/0/on_false']);
  });

  it('does not let a target leave its step list', () => {
    const doc = legacyDoc([
      { id: 'each', type: 'foreach', foreach: { items: '{{order.lines}}', item_var: 'line', steps: [allow('inner', { next: 'outer' })] } },
      allow('outer'),
    ]);
    expect(errorsOf(doc)).toEqual([
      { pointer: '/steps/0/foreach/steps/0/next', message: 'step "outer" is in another step list; a target must be in the same list as its step' },
    ]);
  });

  it('rejects targets inside a parallel block, once', () => {
    const doc = legacyDoc([{ id: 'p', type: 'parallel', parallel: { strategy: 'all_must_pass', steps: [allow('a', { next: 'b' }), allow('b')] } }]);
    expect(errorsOf(doc)).toEqual([
      { pointer: '/steps/0/parallel/steps/0/next', message: expect.stringMatching(/branch targets are not allowed/) as unknown },
    ]);
  });
});

describe('cycles', () => {
  it('rejects a loop reachable from the first step, at the branch closing it', () => {
    const doc = legacyDoc([allow('a', { next: 'b' }), allow('b', { next: 'c' }), allow('c', { next: 'a' })]);
    expect(errorsOf(doc)).toEqual([
      { pointer: '/steps/2/next', message: 'loops back to step "a" without passing through a wait or approval step' },
    ]);
  });

  it('rejects a step targeting itself', () => {
    expect(pointersOf(legacyDoc([allow('a', { on_error: 'a' })]))).toEqual(['/steps/0/on_error']);
  });

  it('rejects a loop through a condition branch', () => {
    const doc = legacyDoc([
      { id: 'check', type: 'condition', condition: { field: 'n', operator: '<', value: 3 }, on_true: 'bump', on_false: 'end' },
      allow('bump', { next: 'check' }),
      allow('end'),
    ]);
    expect(pointersOf(doc)).toEqual(['/steps/1/next']);
  });

  it('allows a loop that passes through a wait step', () => {
    const doc = legacyDoc([allow('a', { next: 'w' }), wait('w', { next: 'a', on_timeout: 'end' }), allow('end')]);
    expect(errorsOf(doc)).toEqual([]);
  });

  it('allows a loop that passes through an approval step', () => {
    const doc = legacyDoc([
      allow('ask', { next: 'approve' }),
      { id: 'approve', type: 'approval', approval: { approver_role: 'manager', expires_in: '2d' }, on_rejected: 'ask', on_approved: 'end' },
      allow('end'),
    ]);
    expect(errorsOf(doc)).toEqual([]);
  });

  it("rejects a loop through a wait's on_error: a wait that cannot start fails at once, without pausing", () => {
    const doc = legacyDoc([wait('w1', { next: 'done', on_error: 'note' }), allow('note', { next: 'w1' }), allow('done')]);
    expect(errorsOf(doc)).toEqual([
      { pointer: '/steps/1/next', message: 'loops back to step "w1" without pausing: the loop leaves wait step "w1" through on_error, which it takes at once, without waiting' },
    ]);
  });

  it("rejects a loop through an approval's on_error, and a wait or approval that is its own on_error", () => {
    const approval = { id: 'ask', type: 'approval', approval: { approver_role: '{{role}}', expires_in: '1d' }, on_approved: 'end', on_error: 'fix' };
    expect(pointersOf(legacyDoc([approval, allow('fix', { next: 'ask' }), allow('end')]))).toEqual(['/steps/1/next']);
    expect(pointersOf(legacyDoc([wait('w', { on_error: 'w' })]))).toEqual(['/steps/0/on_error']);
  });

  it('allows a loop through on_error when a pausing branch closes it', () => {
    const doc = legacyDoc([allow('a', { next: 'w', on_error: 'w' }), wait('w', { next: 'a', on_timeout: 'a', on_error: 'end' }), allow('end')]);
    expect(errorsOf(doc)).toEqual([]);
    const twoWaits = legacyDoc([wait('w1', { on_error: 'w2', next: 'end' }), wait('w2', { on_timeout: 'w1', on_error: 'end' }), allow('end')]);
    expect(errorsOf(twoWaits)).toEqual([]);
  });

  it('ignores a loop no path from the first step reaches', () => {
    const doc = legacyDoc([allow('start'), allow('x', { next: 'y' }), allow('y', { next: 'x' })]);
    expect(errorsOf(doc)).toEqual([]);
  });

  it('rejects a loop inside a foreach body', () => {
    const body = [allow('a', { next: 'b' }), allow('b', { next: 'a' })];
    const doc = legacyDoc([{ id: 'each', type: 'foreach', foreach: { items: '${order.lines}', item_var: 'line', steps: body } }]);
    expect(pointersOf(doc)).toEqual(['/steps/0/foreach/steps/1/next']);
  });
});

describe('step ids', () => {
  it('rejects a duplicate id, pointing at the second one', () => {
    const doc = legacyDoc([allow('a'), allow('b'), allow('a')]);
    expect(errorsOf(doc)).toEqual([{ pointer: '/steps/2/id', message: 'duplicate step id "a" (first used by /steps/0)' }]);
  });

  it('rejects an id reused inside a nested block', () => {
    const doc = legacyDoc([{ id: 'p', type: 'parallel', parallel: { strategy: 'all_must_pass', steps: [allow('p')] } }]);
    expect(pointersOf(doc)).toEqual(['/steps/0/parallel/steps/0/id']);
  });

  it('requires ids in the safe alphabet', () => {
    expect(pointersOf(legacyDoc([allow('has space')]))).toEqual(['/steps/0/id']);
    expect(pointersOf(legacyDoc([{ type: 'action', action: { type: 'allow' } }]))).toEqual(['/steps/0/id']);
  });
});

describe('nesting and size limits', () => {
  const nest = (levels: number): unknown =>
    levels === 0 ? allow('leaf') : { id: `p${levels}`, type: 'parallel', parallel: { strategy: 'all_must_pass', steps: [nest(levels - 1)] } };

  it('allows blocks nested three deep', () => {
    expect(errorsOf(legacyDoc([nest(3)]))).toEqual([]);
  });

  it('rejects a fourth nested block at its step list', () => {
    expect(errorsOf(legacyDoc([nest(4)]))).toEqual([
      { pointer: '/steps/0/parallel/steps/0/parallel/steps/0/parallel/steps/0/parallel/steps', message: expect.stringMatching(/at most 3 levels/) as unknown },
    ]);
  });

  it('rejects more than 200 steps, at the first one over', () => {
    const steps = Array.from({ length: 201 }, (_, index) => allow(`s${index}`));
    expect(errorsOf(legacyDoc(steps))).toEqual([{ pointer: '/steps/200', message: expect.stringMatching(/at most 200 steps/) as unknown }]);
    expect(errorsOf(legacyDoc(steps.slice(0, 200)))).toEqual([]);
  });

  it('rejects a document over 256 KiB as a whole', () => {
    const doc = legacyDoc([allow('a')], { notes: 'x'.repeat(256 * 1024) });
    expect(errorsOf(doc)).toEqual([{ pointer: '', message: expect.stringMatching(/at most 262144/) as unknown }]);
  });

  it('rejects JSON nested deeper than 64 levels before walking it', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 70; level += 1) deep = [deep];
    expect(errorsOf(legacyDoc([allow('a')], { deep }))).toEqual([{ pointer: '', message: 'nests deeper than 64 levels' }]);
  });

  it('rejects conditions nested deeper than 8 groups', () => {
    let condition: unknown = { field: 'x', operator: 'exists' };
    for (let level = 0; level < 8; level += 1) condition = { not: condition };
    const doc = legacyDoc([{ id: 'c', type: 'condition', condition }]);
    expect(pointersOf(doc)).toEqual([`/steps/0/condition${'/not'.repeat(8)}`]);
  });
});
