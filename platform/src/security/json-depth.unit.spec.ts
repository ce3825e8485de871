import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.js';

describe('JSON depth', () => {
  it('counts objects and arrays, the top level being 1', () => {
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan('text', 1)).toBe(false);
  });

  it('walks a body nested a million levels deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as unknown;
    expect(nestsDeeperThan(deep, 64)).toBe(true);
  });
});
