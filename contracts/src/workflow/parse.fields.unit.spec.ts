import { describe, expect, it } from 'vitest';
import { allow, canonicalDoc, errorsOf, legacyDoc, pointersOf } from './parse-testing.js';
import type { Json } from './parse-testing.js';

const condition = (leaf: Json, extra: Json = {}) => legacyDoc([{ id: 'c', type: 'condition', condition: leaf, ...extra }]);
const schedule = (trigger: Json) => legacyDoc([allow('a')], { trigger: { type: 'schedule', ...trigger } });

describe('the document as a whole', () => {
  it.each([null, [], 'workflow', 42, true])('rejects %j: not an object', (input) => {
    expect(errorsOf(input)).toEqual([{ pointer: '', message: 'must be a JSON object' }]);
  });

  it('reports every missing required field', () => {
    expect(pointersOf({})).toEqual(['/workflow_id', '/version', '/name', '/definition']);
    expect(pointersOf({ workflow_id: 'w', version: '1', name: 'n', steps: [allow('a')] })).toEqual(['/trigger']);
  });

  it('collects all errors, not just the first', () => {
    const doc = legacyDoc([allow('a', { next: 'x', timeout: 'soon' })], { workflow_id: 'bad id', tags: [1] });
    expect(pointersOf(doc)).toEqual(['/workflow_id', '/tags/0', '/steps/0/timeout', '/steps/0/next']);
  });

  it('rejects legacy keys beside a canonical definition, and unknown definition keys', () => {
    const doc = canonicalDoc([allow('a')], { steps: [] });
    (doc['definition'] as Json)['stepz'] = [];
    expect(errorsOf(doc)).toEqual([
      { pointer: '/steps', message: expect.stringMatching(/belongs inside "definition"/) as unknown },
      { pointer: '/definition/stepz', message: 'unknown definition key "stepz"; did you mean "steps"?' },
    ]);
  });

  it('rejects a version that is not a string rather than guessing', () => {
    expect(errorsOf(legacyDoc([allow('a')], { version: 1 }))).toEqual([{ pointer: '/version', message: 'must be a string' }]);
  });
});

describe('step keys and types', () => {
  it('rejects a misspelt branch key with a suggestion', () => {
    const doc = condition({ field: 'x', operator: 'eq', value: 1 }, { on_ture: 'c' });
    expect(errorsOf(doc)).toEqual([{ pointer: '/steps/0/on_ture', message: 'unknown step key "on_ture"; did you mean "on_true"?' }]);
  });

  it('rejects a branch key the step type does not have', () => {
    const doc = condition({ field: 'x', operator: 'eq', value: 1 }, { next: 'c' });
    expect(errorsOf(doc)).toEqual([
      { pointer: '/steps/0/next', message: '"next" is not a branch of a condition step; its branches are on_true, on_false, on_error' },
    ]);
  });

  it('escapes the pointer of an odd key (RFC 6901)', () => {
    expect(pointersOf(legacyDoc([allow('a', { 'x/y~z': 1 })]))).toEqual(['/steps/0/x~1y~0z']);
  });

  it('rejects an unknown step type', () => {
    expect(errorsOf(legacyDoc([allow('a'), { id: 'b', type: 'teleport' }]))).toEqual([
      { pointer: '/steps/1/type', message: expect.stringMatching(/^unknown step type; use one of condition, action/) as unknown },
    ]);
  });

  it('rejects unknown action types and a conflicting alias', () => {
    expect(pointersOf(legacyDoc([{ id: 'a', type: 'action', action: { type: 'permit' } }]))).toEqual(['/steps/0/action/type']);
    expect(pointersOf(legacyDoc([{ id: 'a', type: 'action', action: { type: 'allow', action: 'block' } }]))).toEqual(['/steps/0/action/action']);
    expect(pointersOf(legacyDoc([{ id: 'a', type: 'action', action: {} }]))).toEqual(['/steps/0/action/type']);
  });

  it('keeps wait and approval steps at the top level', () => {
    const doc = legacyDoc([{ id: 'p', type: 'parallel', parallel: { strategy: 'all_must_pass', steps: [{ id: 'w', type: 'wait', wait: { event: 'x.y', timeout: '1h' } }] } }]);
    expect(pointersOf(doc)).toEqual(['/steps/0/parallel/steps/0/type']);
  });

  it('requires condition or rule_id, not both', () => {
    expect(pointersOf(legacyDoc([{ id: 'c', type: 'condition' }]))).toEqual(['/steps/0/condition']);
    expect(pointersOf(condition({ field: 'x', operator: 'exists' }, { rule_id: 'r1' }))).toEqual(['/steps/0/rule_id']);
    expect(errorsOf(legacyDoc([{ id: 'c', type: 'condition', rule_id: 'high_value' }]))).toEqual([]);
  });
});

describe('conditions', () => {
  it('rejects an unknown operator, also inside groups', () => {
    expect(pointersOf(condition({ field: 'x', operator: '~=', value: 1 }))).toEqual(['/steps/0/condition/operator']);
    const nested = { or: [{ field: 'a', operator: 'eq', value: 1 }, { not: { field: 'b', operator: 'like', value: 'x' } }] };
    expect(pointersOf(condition(nested))).toEqual(['/steps/0/condition/or/1/not/operator']);
  });

  it('accepts every operator and alias with a suitable value', () => {
    const leaves = ['eq', '==', 'neq', '!=', 'gt', '>', 'gte', '>=', 'lt', '<', 'lte', '<=', 'contains', 'not_contains', 'starts_with', 'ends_with']
      .map((operator) => ({ field: 'x', operator, value: '5' }))
      .concat([
        { field: 'x', operator: 'in', value: ['a'] as unknown as string },
        { field: 'x', operator: 'not_in', value: '{{allowed}}' },
        { field: 'x', operator: 'regex', value: '^a+$' },
      ]);
    const all = { and: [...leaves, { field: 'x', operator: 'exists' }, { field: 'x', operator: 'not_exists' }, { rule_id: 'r' }] };
    expect(errorsOf(condition(all))).toEqual([]);
  });

  it('checks values against their operator', () => {
    expect(pointersOf(condition({ field: 'x', operator: 'exists', value: false }))).toEqual(['/steps/0/condition/value']);
    expect(pointersOf(condition({ field: 'x', operator: 'eq' }))).toEqual(['/steps/0/condition/value']);
    expect(pointersOf(condition({ field: 'x', operator: 'in', value: 'a' }))).toEqual(['/steps/0/condition/value']);
    expect(pointersOf(condition({ field: 'x', operator: 'gt', value: true }))).toEqual(['/steps/0/condition/value']);
    expect(pointersOf(condition({ field: 'x', operator: 'regex', value: '(' }))).toEqual(['/steps/0/condition/value']);
  });

  it("checks regex values with the engine's own compiler: what it runs is accepted, what it refuses is a 400", () => {
    for (const value of ['(?i)^abc', '^[A-Z]{2}-\\d+$', '(?<code>x|y)+', '^{{prefix}}\\d+$']) {
      expect(errorsOf(condition({ field: 'x', operator: 'regex', value }))).toEqual([]);
    }
    for (const value of ['^(?!x)', '(\\w)\\1', '\\p{Lu}', 'a\\z', '(?<=a)b', 'x'.repeat(1001)]) {
      expect(errorsOf(condition({ field: 'x', operator: 'regex', value }))).toEqual([
        { pointer: '/steps/0/condition/value', message: expect.stringMatching(/^invalid regex: /) as unknown },
      ]);
    }
  });

  it('rejects a shape that is no condition, and a group with two operators', () => {
    expect(pointersOf(condition({ when: 'x' }))).toEqual(['/steps/0/condition']);
    expect(pointersOf(condition({ and: [{ field: 'x', operator: 'exists' }], or: [] }))).toEqual(['/steps/0/condition/or']);
  });
});

describe('durations', () => {
  it.each([
    ['5 minutes', /not a duration/],
    ['30m1h', /not a duration/],
    ['0s', /longer than zero/],
    ['400d', /at most 366d/],
  ])('rejects step timeout %j', (timeout, message) => {
    expect(errorsOf(legacyDoc([allow('a', { timeout })]))).toEqual([{ pointer: '/steps/0/timeout', message: expect.stringMatching(message) as unknown }]);
  });

  it('checks the workflow timeout, wait timeouts, approval expiry and retry intervals', () => {
    const doc = legacyDoc(
      [
        allow('a', { next: 'w', retry: { max_attempts: 3, backoff: 'linear', retry_on: ['5xx'], initial_interval: '10s', max_interval: '1s' } }),
        { id: 'w', type: 'wait', wait: { event: 'x.y', timeout: '2 days' }, next: 'ap' },
        { id: 'ap', type: 'approval', approval: { approver_role: 'm', expires_in: 'never' } },
      ],
      { timeout: 10 },
    );
    expect(pointersOf(doc)).toEqual(['/timeout', '/steps/0/retry/max_interval', '/steps/1/wait/timeout', '/steps/2/approval/expires_in']);
  });

  it('requires the settings the language marks as required', () => {
    const doc = legacyDoc([
      allow('a', { next: 'w', retry: { max_attempts: 2 } }),
      { id: 'w', type: 'wait', wait: { event: 'x.y' }, next: 'p' },
      { id: 'p', type: 'parallel', parallel: { steps: [allow('b')] } },
    ]);
    expect(pointersOf(doc)).toEqual(['/steps/0/retry/backoff', '/steps/0/retry/retry_on', '/steps/1/wait/timeout', '/steps/2/parallel/strategy']);
  });

  it('rejects a timeout on a pausing step, which has its own expiry', () => {
    expect(pointersOf(legacyDoc([{ id: 'w', type: 'wait', wait: { event: 'x.y', timeout: '1h' }, timeout: '1h' }]))).toEqual(['/steps/0/timeout']);
  });
});

describe('schedule triggers', () => {
  it.each(['0 */6 * * *', '*/30 * * * * *', '@hourly', '@daily', '0 9 * * MON-FRI'])('accepts cron %j', (cron) => {
    expect(errorsOf(schedule({ cron, timezone: 'Europe/Paris' }))).toEqual([]);
  });

  it.each(['61 * * * *', '* * * *', '* * * * * * *', '@reboot', 'H * * * *', 'every hour'])('rejects cron %j', (cron) => {
    expect(pointersOf(schedule({ cron }))).toEqual(['/trigger/cron']);
  });

  it('rejects an unknown time zone', () => {
    expect(errorsOf(schedule({ cron: '@hourly', timezone: 'Mars/Olympus' }))).toEqual([
      { pointer: '/trigger/timezone', message: expect.stringMatching(/unknown time zone/) as unknown },
    ]);
  });

  it('rejects an unknown trigger type and unknown trigger keys', () => {
    expect(pointersOf(legacyDoc([allow('a')], { trigger: { type: 'webhook' } }))).toEqual(['/trigger/type']);
    expect(pointersOf(legacyDoc([allow('a')], { trigger: { type: 'event', event: 'a.b', filter: {} } }))).toEqual(['/trigger/filter']);
    expect(pointersOf(legacyDoc([allow('a')], { trigger: { type: 'event', event: 'a.*.b' } }))).toEqual(['/trigger/event']);
  });
});
