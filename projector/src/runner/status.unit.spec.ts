import { describe, expect, it } from 'vitest';
import { isBehind, lagSeconds } from './status.js';

const at = (n: bigint) => ({ commit: n, prepare: n });

describe('lag', () => {
  const now = new Date('2024-01-01T00:01:00Z');
  const since = new Date('2024-01-01T00:00:00Z');

  it('is zero when the model has reached the head, or the log is empty', () => {
    expect(lagSeconds(at(5n), at(5n), since, now)).toBe(0);
    expect(lagSeconds(undefined, undefined, since, now)).toBe(0);
    expect(isBehind(at(6n), at(5n))).toBe(false);
  });

  it('is the age of the last applied event while the log holds newer ones', () => {
    expect(isBehind(at(4n), at(5n))).toBe(true);
    expect(lagSeconds(at(4n), at(5n), since, now)).toBe(60);
    expect(lagSeconds(undefined, at(5n), since, now)).toBe(60);
  });
});
