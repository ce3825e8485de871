import { describe, expect, it } from 'vitest';
import { bodyProblem, nestsDeeperThan } from './json-depth.js';

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

  it('finds a NUL character in any string or key', () => {
    expect(bodyProblem({ a: ['ok', { b: 'x\u0000' }] }, 64)).toBe('nul');
    expect(bodyProblem({ 'k\u0000': 1 }, 64)).toBe('nul');
    expect(bodyProblem({ a: ['ok', { b: 'x' }] }, 64)).toBeUndefined();
  });

  it('finds a lone UTF-16 surrogate in any string or key, and lets a paired one (an emoji) through', () => {
    expect(bodyProblem({ source: '\ud800' }, 64)).toBe('lone-surrogate');
    expect(bodyProblem({ a: ['x\udc00y'] }, 64)).toBe('lone-surrogate');
    expect(bodyProblem({ 'k\udbff': 1 }, 64)).toBe('lone-surrogate');
    expect(bodyProblem({ a: 'ok \ud83d\ude00', b: '\ud83d\ude00\ud83d\ude00' }, 64)).toBeUndefined();
  });

  it('finds a number past the range of a double anywhere, and lets large finite ones through', () => {
    expect(bodyProblem(JSON.parse('{"payload":{"n":1e400}}'), 64)).toBe('not-finite');
    expect(bodyProblem(JSON.parse('[1, [-1e999]]'), 64)).toBe('not-finite');
    expect(bodyProblem(JSON.parse('{"n":1.7976931348623157e308,"m":-5e-324}'), 64)).toBeUndefined();
  });
});
