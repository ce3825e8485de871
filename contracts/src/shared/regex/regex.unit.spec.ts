import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SafeRegex } from './index.js';
import { compileSafeRegex, testSafeRegex } from './index.js';

const compile = (pattern: string): SafeRegex => {
  const compiled = compileSafeRegex(pattern);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.regex;
};
const matches = (pattern: string, input: string): boolean => {
  const result = testSafeRegex(compile(pattern), input);
  if (!result.ok) throw new Error(result.message);
  return result.matched;
};

describe('safe regex: supported syntax', () => {
  it.each([
    ['abc', 'xxabcxx', true],
    ['^abc$', 'abc', true],
    ['^abc$', 'abcd', false],
    ['a.c', 'a-c', true],
    ['a.c', 'a\nc', false],
    ['^\\d{3}-\\d{4}$', '555-1234', true],
    ['^\\d{3}-\\d{4}$', '555-12345', false],
    ['^[A-Z]{2}\\d+$', 'FR123', true],
    ['^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$', 'ada@example.com', true],
    ['^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$', 'ada@example', false],
    ['^(gold|platinum)$', 'platinum', true],
    ['^(?:gold|platinum)$', 'silver', false],
    ['^(?<tier>gold)$', 'gold', true],
    ['colou?r', 'color', true],
    ['^a{2,3}$', 'aaaa', false],
    ['^a{2,}$', 'aaaa', true],
    ['^a+?b*?$', 'aab', true],
    ['\\bcat\\b', 'a cat here', true],
    ['\\bcat\\b', 'concatenate', false],
    ['\\Bcat', 'concat', true],
    ['^\\w+$', 'snake_case1', true],
    ['^\\S+$', 'no spaces', false],
    ['[\\d-]', '-', true],
    ['[a-]', '-', true],
    ['^[]$', '', false],
    ['^[^]$', '\n', true],
    ['\\$\\{\\}\\.\\*', '${}.*', true],
    ['\\x41\\u0042\\u{1F44B}', 'AB👋', true],
    ['^.$', '👋', true],
    ['a{,2}', 'a{,2}', true],
    ['^$', '', true],
    ['', 'anything', true],
    ['(?i)^ORDER-[a-z]+$', 'order-ABC', true],
    ['^ORDER$', 'order', false],
    ['(a*)*b', 'aaab', true],
  ])('%j on %j is %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });
});

describe('safe regex: rejected syntax', () => {
  it.each([
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['a(?=b)', /lookahead and lookbehind/],
    ['a(?!b)', /lookahead and lookbehind/],
    ['(?<=a)b', /lookahead and lookbehind/],
    ['(?<!a)b', /lookahead and lookbehind/],
    ['a(?i)b', /only allowed at the start/],
    ['\\p{L}', /property escapes/],
    ['\\q', /unsupported escape/],
    ['[abc', /unterminated character class/],
    ['(abc', /missing "\)"/],
    ['abc)', /unmatched "\)"/],
    ['*a', /nothing to repeat/],
    ['a**', /nothing to repeat/],
    ['^*', /nothing to repeat/],
    ['{2}', /nothing to repeat/],
    ['a{3,2}', /out of order/],
    ['a{1001}', /limited to 1000/],
    ['[z-a]', /out of order/],
    ['[\\d-z]', /character at each end/],
    ['\\', /lone backslash/],
    ['\\x4', /hexadecimal/],
    ['(a{1000}){1000}', /too large/],
    ['a'.repeat(1001), /longer than 1000/],
    ['('.repeat(60) + ')'.repeat(60), /nest deeper/],
  ])('%j', (pattern, message) => {
    const compiled = compileSafeRegex(pattern);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.message).toMatch(message);
  });
});

describe('safe regex: no catastrophic backtracking', () => {
  it.each(['(a+)+$', '^(a|a)*$', '^(a*)*$', '^(a|aa)+$', '(x+x+)+y'])('%s on a long near-miss finishes fast', (pattern) => {
    const input = `${'a'.repeat(40)}!`;
    const started = performance.now();
    const result = testSafeRegex(compile(pattern), pattern === '(x+x+)+y' ? 'x'.repeat(5_000) : input);
    expect(result).toEqual({ ok: true, matched: false });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('matches when the pathological pattern does match', () => {
    expect(matches('(a+)+$', `${'a'.repeat(40)}`)).toBe(true);
  });

  it('reports an exhausted step budget instead of running on', () => {
    const result = testSafeRegex(compile('(a|b)*c'), 'ab'.repeat(1_000), 500);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/step budget of 500 exhausted/);
  });
});

describe('safe regex: agrees with JavaScript RegExp on the shared subset', () => {
  const atom: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'c', '.', '\\d', '\\w', '\\s', '[ab]', '[^a]', '[a-c1]', '\\.', 'B', '\\b');
  const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?');
  // Unbounded quantifiers around groups would send the backtracking RegExp we compare with into
  // exponential time; nested stars are covered by the timing tests above.
  const groupQuantifier = fc.constantFrom('', '', '?', '{2}', '{0,2}');
  const pattern = fc.letrec<{ alt: string; seq: string; item: string }>((tie) => ({
    item: fc.oneof(
      { maxDepth: 2, depthIdentifier: 'regex' },
      { weight: 4, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => (a === '\\b' ? a : a + q)) },
      { weight: 1, arbitrary: fc.tuple(tie('alt'), groupQuantifier, fc.boolean()).map(([a, q, c]) => `(${c ? '?:' : ''}${a})${q}`) },
    ),
    seq: fc.array(tie('item'), { maxLength: 4 }).map((items) => items.join('')),
    alt: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((options) => options.join('|')),
  })).alt;
  const anchored = fc.tuple(fc.boolean(), pattern, fc.boolean()).map(([s, p, e]) => `${s ? '^' : ''}${p}${e ? '$' : ''}`);
  const input = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'B', '1', ' ', '.', '_', '\n', 'x'), maxLength: 12 });

  it('case-sensitive', () => {
    fc.assert(
      fc.property(anchored, input, (p, s) => {
        expect(matches(p, s)).toBe(new RegExp(p).test(s));
      }),
      { numRuns: 2_000 },
    );
  });

  it('case-insensitive with (?i)', () => {
    fc.assert(
      fc.property(anchored, input, (p, s) => {
        expect(matches(`(?i)${p}`, s)).toBe(new RegExp(p, 'i').test(s));
      }),
      { numRuns: 1_000 },
    );
  });
});
