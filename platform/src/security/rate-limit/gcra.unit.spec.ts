import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gcraStep, type RateRule } from './gcra.js';

const SECOND = 1_000_000;

/** Runs requests at the given instants (µs) through one bucket; returns which were allowed. */
function run(rule: RateRule, instants: readonly number[]): boolean[] {
  let tat: number | undefined;
  return instants.map((now) => {
    const step = gcraStep(tat, now, rule);
    tat = step.tat;
    return step.decision.allowed;
  });
}

describe('GCRA bucket', () => {
  it('allows a full burst at once, then refuses, saying when to retry', () => {
    const rule = { perSecond: 2, burst: 3 };
    expect(run(rule, [0, 0, 0, 0])).toEqual([true, true, true, false]);
    let tat: number | undefined;
    for (let i = 0; i < 3; i += 1) tat = gcraStep(tat, 0, rule).tat;
    const refused = gcraStep(tat, 0, rule).decision;
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 500, limit: 3 });
    expect(refused.resetMs).toBe(1500);
  });

  it('counts down remaining and refills at the rate', () => {
    const rule = { perSecond: 10, burst: 5 };
    const remaining: number[] = [];
    let tat: number | undefined;
    for (let i = 0; i < 5; i += 1) {
      const step = gcraStep(tat, 0, rule);
      tat = step.tat;
      remaining.push(step.decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect(gcraStep(tat, 0, rule).decision.allowed).toBe(false);
    // One token comes back every 100 ms.
    expect(gcraStep(tat, 100_000, rule).decision).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('never lets more than burst + rate × elapsed requests through, whatever the arrival pattern', () => {
    fc.assert(
      fc.property(
        fc.record({ perSecond: fc.integer({ min: 1, max: 1000 }), burst: fc.integer({ min: 1, max: 50 }) }),
        fc.array(fc.integer({ min: 0, max: 3 * SECOND }), { minLength: 1, maxLength: 300 }),
        (rule, offsets) => {
          const instants = [...offsets].sort((a, b) => a - b);
          const allowed = run(rule, instants).filter(Boolean).length;
          const elapsed = (instants.at(-1) ?? 0) - (instants[0] ?? 0);
          expect(allowed).toBeLessThanOrEqual(rule.burst + Math.floor((elapsed * rule.perSecond) / SECOND) + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('allows every request of a client that stays under the rate', () => {
    const rule = { perSecond: 5, burst: 1 };
    expect(run(rule, Array.from({ length: 20 }, (_, i) => i * 200_000)).every(Boolean)).toBe(true);
  });
});
