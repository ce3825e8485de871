import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['48h', 172_800_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5h', 5_400_000],
    ['0s', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '5min', '-5s', '30m1h', '1h1h', '1m30', '5S', ' 5s', '1e3s', '.5s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects text too long to be a duration and values beyond safe integers', () => {
    expect(parseDuration(`${'9'.repeat(70)}d`)).toBeUndefined();
    expect(parseDuration(`${'9'.repeat(20)}d`)).toBeUndefined();
  });

  it('adds the parts of a combination', () => {
    const parts = fc.record({ h: fc.integer({ min: 0, max: 99 }), m: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) });
    fc.assert(
      fc.property(parts, ({ h, m, s }) => {
        expect(parseDuration(`${h}h${m}m${s}s`)).toBe(((h * 60 + m) * 60 + s) * 1000);
      }),
    );
  });
});
