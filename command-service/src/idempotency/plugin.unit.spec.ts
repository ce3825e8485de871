import { describe, expect, it } from 'vitest';
import { isTransientAnswer } from './plugin.js';

const problem = (slug: string): string => JSON.stringify({ type: `https://intelligent-workflows.dev/problems/${slug}`, title: 't', status: 409 });

describe('answers an Idempotency-Key does not keep', () => {
  it('are server errors and concurrent-modification conflicts', () => {
    expect(isTransientAnswer(500, problem('internal'))).toBe(true);
    expect(isTransientAnswer(503, undefined)).toBe(true);
    expect(isTransientAnswer(409, problem('concurrent-modification'))).toBe(true);
  });

  it('are not other conflicts, refusals or successes, nor a 409 whose body is not a problem', () => {
    expect(isTransientAnswer(409, problem('workflow-exists'))).toBe(false);
    expect(isTransientAnswer(409, 'not json')).toBe(false);
    expect(isTransientAnswer(409, undefined)).toBe(false);
    expect(isTransientAnswer(422, problem('concurrent-modification'))).toBe(false);
    expect(isTransientAnswer(201, '{"workflow_id":"w"}')).toBe(false);
  });
});
