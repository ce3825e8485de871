import { describe, expect, it } from 'vitest';
import { EventSchemaVersionError, createEventRegistry } from './registry.js';

const registry = createEventRegistry([
  {
    type: 'ThingRenamed',
    schema_version: 3,
    upcasters: {
      1: (data) => ({ ...(data as object), title: (data as { name: string }).name }),
      2: (data) => ({ ...(data as object), title_upper: (data as { title: string }).title.toUpperCase() }),
    },
  },
  { type: 'ThingDeleted', schema_version: 1 },
]);

describe('event registry', () => {
  it('runs the whole upcaster chain from an old version to the current one', () => {
    expect(registry.upcast('ThingRenamed', 1, { name: 'a' })).toEqual({ name: 'a', title: 'a', title_upper: 'A' });
  });

  it('runs only the remaining steps from an intermediate version', () => {
    expect(registry.upcast('ThingRenamed', 2, { title: 'b' })).toEqual({ title: 'b', title_upper: 'B' });
  });

  it('returns current-version data as it is', () => {
    const data = { title: 'c', title_upper: 'C' };
    expect(registry.upcast('ThingRenamed', 3, data)).toBe(data);
  });

  it('passes unknown types through unchanged', () => {
    const data = { anything: true };
    expect(registry.upcast('SomethingElse', 7, data)).toBe(data);
  });

  it('knows each type’s current version', () => {
    expect(registry.currentVersion('ThingRenamed')).toBe(3);
    expect(registry.currentVersion('ThingDeleted')).toBe(1);
    expect(registry.currentVersion('Nope')).toBeUndefined();
    expect(registry.types()).toEqual(['ThingRenamed', 'ThingDeleted']);
  });

  it('refuses a version newer than the code, or an invalid one', () => {
    expect(() => registry.upcast('ThingRenamed', 4, {})).toThrow(EventSchemaVersionError);
    expect(() => registry.upcast('ThingRenamed', 0, {})).toThrow(EventSchemaVersionError);
    expect(() => registry.upcast('ThingRenamed', 1.5, {})).toThrow(EventSchemaVersionError);
  });

  it('fails at construction on a duplicate type', () => {
    expect(() => createEventRegistry([{ type: 'A', schema_version: 1 }, { type: 'A', schema_version: 1 }])).toThrow(/twice/);
  });

  it('fails at construction on a gap in the upcaster chain', () => {
    expect(() => createEventRegistry([{ type: 'A', schema_version: 3, upcasters: { 1: (d) => d } }])).toThrow(/from version 2 to 3/);
  });

  it('fails at construction on an upcaster outside the chain', () => {
    expect(() => createEventRegistry([{ type: 'A', schema_version: 1, upcasters: { 1: (d) => d } }])).toThrow(/outside/);
  });

  it('fails at construction on an invalid current version', () => {
    expect(() => createEventRegistry([{ type: 'A', schema_version: 0 }])).toThrow(/integer/);
  });
});
