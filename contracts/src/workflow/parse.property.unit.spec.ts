import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { WorkflowDocumentSchema } from './definition.js';
import { parseWorkflowDocument } from './parse.js';

const legacyDir = fileURLToPath(new URL('../../../fixtures/workflows/legacy/', import.meta.url));
const fixtures: unknown[] = readdirSync(legacyDir)
  .filter((name) => name.endsWith('.json'))
  .map((name): unknown => JSON.parse(readFileSync(legacyDir + name, 'utf8')));

/** Every JSON pointer inside a value, the root included. */
function pointers(value: unknown, base = ''): string[] {
  if (typeof value !== 'object' || value === null) return [base];
  const children = Object.entries(value).flatMap(([key, child]) => pointers(child, `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`));
  return [base, ...children];
}

function resolve(value: unknown, pointer: string): { found: boolean; value?: unknown } {
  let current = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

/** Replaces the value at `pointer` (the root stays an object). */
function replaceAt(document: unknown, pointer: string, replacement: unknown): unknown {
  const copy = structuredClone(document);
  const parts = pointer.split('/');
  const last = parts.pop()?.replaceAll('~1', '/').replaceAll('~0', '~');
  const parent = resolve(copy, parts.join('/'));
  if (last === undefined || !parent.found || typeof parent.value !== 'object' || parent.value === null) return copy;
  (parent.value as Record<string, unknown>)[last] = replacement;
  return copy;
}

/** Invariants of any answer: valid documents match the schema; error pointers land in the submission. */
function checkAnswer(input: unknown): void {
  const result = parseWorkflowDocument(input);
  if (result.ok) {
    expect(Value.Check(WorkflowDocumentSchema, result.document)).toBe(true);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const { pointer } of result.errors) {
    // A missing member is reported at its own pointer, so at least its parent exists.
    const parent = pointer.slice(0, Math.max(0, pointer.lastIndexOf('/')));
    expect(resolve(input, pointer).found || resolve(input, parent).found, pointer).toBe(true);
  }
}

describe('parseWorkflowDocument on arbitrary input', () => {
  it('never throws on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (input) => void parseWorkflowDocument(input)), { numRuns: 500 });
  });

  it('never throws and points into the document when part of a real workflow is replaced', () => {
    const mutation = fc
      .tuple(fc.constantFrom(...fixtures), fc.nat(), fc.jsonValue({ maxDepth: 4 }))
      .map(([fixture, index, replacement]) => {
        const candidates = pointers(fixture).filter((pointer) => pointer !== '');
        return replaceAt(fixture, candidates[index % candidates.length] ?? '', replacement);
      });
    fc.assert(fc.property(mutation, checkAnswer), { numRuns: 500 });
  });

  it('keeps the invariants for arbitrary objects with workflow-like keys', () => {
    const keys = fc.constantFrom('workflow_id', 'version', 'name', 'trigger', 'steps', 'definition', 'context', 'timeout', 'tags', 'enabled');
    fc.assert(fc.property(fc.dictionary(keys, fc.jsonValue({ maxDepth: 3 })), checkAnswer), { numRuns: 500 });
  });
});
