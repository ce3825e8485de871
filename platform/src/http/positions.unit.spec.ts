import { describe, expect, it } from 'vitest';
import { DomainError } from '@iwf/contracts';
import { maxWaitMs } from './positions.js';

describe('maxWaitMs (X-Max-Wait-Ms)', () => {
  it('is the default when absent, the value when within the limit, and the limit when past it', () => {
    expect(maxWaitMs(undefined, 2_000, 10_000)).toBe(2_000);
    expect(maxWaitMs('0', 2_000, 10_000)).toBe(0);
    expect(maxWaitMs('250', 2_000, 10_000)).toBe(250);
    expect(maxWaitMs('99999999', 2_000, 10_000)).toBe(10_000);
  });

  it.each(['soon', '-1', '1.5', '1e3', '', ' 5', '1234567890123456'])('refuses %j with a 400 naming the header', (value) => {
    expect(() => maxWaitMs(value, 2_000, 10_000)).toThrow(DomainError);
    try {
      maxWaitMs(value, 2_000, 10_000);
    } catch (error) {
      expect((error as DomainError).errors.map((entry) => entry.pointer)).toEqual(['/headers/x-max-wait-ms']);
    }
  });

  it('refuses a header sent twice', () => {
    expect(() => maxWaitMs(['100', '200'], 2_000, 10_000)).toThrow(DomainError);
  });
});
