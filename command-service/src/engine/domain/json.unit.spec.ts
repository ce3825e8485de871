import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonEquals, mapJsonStrings, someJsonString, stringifyJson } from './json.js';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { k: value };
  return value;
};

describe('mapJsonStrings', () => {
  it('copies the value, mapping strings only', () => {
    const source = { a: ['x', 1, true, null], b: { c: 'y' } };
    const copy = mapJsonStrings(source, (text) => text.toUpperCase());
    expect(copy).toEqual({ a: ['X', 1, true, null], b: { c: 'Y' } });
    expect(source.a[0]).toBe('x');
  });

  it('does not walk into what the mapping returns', () => {
    const calls: string[] = [];
    mapJsonStrings(['a'], (text) => {
      calls.push(text);
      return { nested: 'not visited' };
    });
    expect(calls).toEqual(['a']);
  });

  it('turns non-JSON leaves into JSON and keeps own __proto__ keys', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"x": "y"}}');
    expect(Object.keys(mapJsonStrings(parsed, (t) => t) as object)).toEqual(['__proto__']);
    expect(mapJsonStrings({ a: undefined, b: Number.NaN, c: [undefined, () => 1], d: new Date(0) }, (t) => t)).toEqual({
      b: null,
      c: [null, null],
    });
  });

  it('handles values far deeper than the call stack allows', () => {
    const deep = nested(50_000);
    expect(() => mapJsonStrings(deep, (t) => t)).not.toThrow();
    expect(someJsonString(deep, (text) => text === 'leaf')).toBe(true);
  });
});

describe('someJsonString', () => {
  it('visits strings in document order and stops when asked', () => {
    const seen: string[] = [];
    someJsonString({ a: 'one', b: ['two', { c: 'three' }], d: 'four' }, (text) => {
      seen.push(text);
      return text === 'three';
    });
    expect(seen).toEqual(['one', 'two', 'three']);
  });
});

describe('stringifyJson', () => {
  it('matches JSON.stringify', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyJson(value as never)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('does not overflow on deep values', () => {
    const text = stringifyJson(nested(20_000) as never);
    expect(text.startsWith('{"k":[{"k":[')).toBe(true);
  });
});

describe('jsonEquals', () => {
  it('compares deeply, ignoring key order', () => {
    expect(jsonEquals({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEquals([1, 2], [2, 1])).toBe(false);
    expect(jsonEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEquals([], {})).toBe(false);
    expect(jsonEquals(0, -0)).toBe(true);
  });

  it('holds between a value and its JSON round trip', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonEquals(value, JSON.parse(JSON.stringify(value)))).toBe(true);
      }),
    );
  });
});
