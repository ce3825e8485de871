import { describe, expect, it } from 'vitest';
import { VARIANTS, buildTemplate } from './templates.js';

describe('load templates', () => {
  it('decides every variant to its end with the real engine', () => {
    const endings = VARIANTS.map((variant) => {
      const template = buildTemplate(variant, '2024-05-01T10:00:00.000Z');
      const last = template.decisions.at(-1)!.at(-1)!;
      return [variant, last.type, 'decision' in last.data ? last.data.decision : null, template.approval.map((event) => event.type)];
    });
    expect(endings).toEqual([
      ['screen-small', 'ExecutionCompleted', 'allowed', []],
      ['screen-big', 'ExecutionCompleted', 'blocked', []],
      ['notify', 'ExecutionCompleted', 'allowed', []],
      ['flaky', 'ExecutionFailed', null, []],
      ['review-yes', 'ExecutionCompleted', 'allowed', ['ApprovalCreated', 'ApprovalApproved']],
      ['review-no', 'ExecutionCompleted', 'blocked', ['ApprovalCreated', 'ApprovalRejected']],
      ['slow', 'ExecutionTimedOut', null, []],
    ]);
  });
});
