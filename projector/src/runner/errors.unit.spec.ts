import { describe, expect, it } from 'vitest';
import { DomainError } from '@iwf/contracts';
import { LostLeadershipError, backoffDelay, isTransientError } from './errors.js';
import { EventHandlingError } from './projection.js';
import { recordAll, created } from '../workflows/testing/workflow-events.js';

const pgError = (code: string): Error => Object.assign(new Error('pg'), { code });

describe('transient errors', () => {
  it('waits out lost connections, restarts and serialisation conflicts', () => {
    for (const code of ['08006', '57P01', '57P03', '53300', '40001', '40P01', 'ECONNREFUSED', 'ECONNRESET']) {
      expect(isTransientError(pgError(code)), code).toBe(true);
    }
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientError(new DomainError('unavailable', 'The event store is not answering; retry shortly.'))).toBe(true);
  });

  it('stops on bugs, constraint violations and lost leadership', () => {
    for (const code of ['23505', '42P01', '22P02']) expect(isTransientError(pgError(code)), code).toBe(false);
    expect(isTransientError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientError(new LostLeadershipError('p'))).toBe(false);
    expect(isTransientError(undefined)).toBe(false);
  });

  it('judges a handler error by its cause', () => {
    const event = recordAll('t', 'w', [created('w', '2024-01-01T00:00:00Z')])[0]!;
    expect(isTransientError(new EventHandlingError('p', event, pgError('08006')))).toBe(true);
    const bug = new EventHandlingError('p', event, new Error('boom'));
    expect(isTransientError(bug)).toBe(false);
    expect(bug.message).toContain('workflow:t:w@0');
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the cap, with jitter in the upper half', () => {
    for (let attempt = 0; attempt < 30; attempt++) {
      const base = Math.min(5000, 100 * 2 ** attempt);
      const delay = backoffDelay(attempt, 100, 5000);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });
});
