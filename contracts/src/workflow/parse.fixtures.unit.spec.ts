import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { WorkflowDocumentSchema } from './definition.js';
import { parseWorkflowDocument } from './parse.js';

const legacyDir = fileURLToPath(new URL('../../../fixtures/workflows/legacy/', import.meta.url));
const sharedDir = fileURLToPath(new URL('../../../../shared/fixtures/workflows/legacy/', import.meta.url));
const files = readdirSync(legacyDir).filter((name) => name.endsWith('.json')).sort();

const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(legacyDir + name, 'utf8')) as Record<string, unknown>;

/** The same workflow with its definition nested under `definition`. */
function toCanonical(legacy: Record<string, unknown>): Record<string, unknown> {
  const { trigger, context, timeout, steps, ...header } = legacy;
  return { ...header, definition: { trigger, context, timeout, steps } };
}

describe('legacy fixtures', () => {
  it('are all seven files', () => {
    expect(files).toHaveLength(7);
  });

  it.runIf(existsSync(sharedDir))('are byte-identical to the shared copies', () => {
    for (const name of files) expect(readFileSync(legacyDir + name).equals(readFileSync(sharedDir + name)), name).toBe(true);
  });

  it.each(files)('%s parses unchanged into a canonical document', (name) => {
    const legacy = load(name);
    const result = parseWorkflowDocument(legacy);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    const { document } = result;
    expect(Value.Check(WorkflowDocumentSchema, document)).toBe(true);
    expect(document.workflow_id).toBe(legacy['workflow_id']);
    expect(document.definition.steps).toEqual(legacy['steps']);
    expect(document.definition.trigger).toEqual(legacy['trigger']);
    expect(document.extra).toEqual({});
  });

  it.each(files)('%s in the canonical shape gives the same document', (name) => {
    const legacy = load(name);
    expect(parseWorkflowDocument(toCanonical(legacy))).toEqual(parseWorkflowDocument(legacy));
  });
});

describe('normalisation', () => {
  const minimal = {
    workflow_id: 'w1',
    version: '1',
    name: 'Minimal',
    trigger: { type: 'manual' },
    steps: [{ id: 'done', type: 'action', action: { type: 'allow' } }],
  };

  it('defaults enabled to true, tags to [] and description to null', () => {
    const result = parseWorkflowDocument(minimal);
    expect(result.ok && result.document).toMatchObject({ enabled: true, tags: [], description: null, extra: {} });
  });

  it('keeps an explicit enabled: false', () => {
    const result = parseWorkflowDocument({ ...minimal, enabled: false });
    expect(result.ok && result.document.enabled).toBe(false);
  });

  it('keeps unknown top-level keys as extra metadata, in both shapes', () => {
    const withExtra = { ...minimal, owner: 'sales-ops', x_ticket: 42 };
    const legacy = parseWorkflowDocument(withExtra);
    const canonical = parseWorkflowDocument(toCanonical(withExtra));
    expect(legacy.ok && legacy.document.extra).toEqual({ owner: 'sales-ops', x_ticket: 42 });
    expect(canonical).toEqual(legacy);
  });

  it('removes duplicate tags, keeping the first occurrence order', () => {
    const result = parseWorkflowDocument({ ...minimal, tags: ['b', 'a', 'b'] });
    expect(result.ok && result.document.tags).toEqual(['b', 'a']);
  });

  it('does not share objects with the submission', () => {
    const input = structuredClone(minimal);
    const result = parseWorkflowDocument(input);
    input.steps[0]!.id = 'changed';
    expect(result.ok && result.document.definition.steps[0]?.id).toBe('done');
  });

  it('accepts symbolic operators, the action alias and a loop through a wait step', () => {
    const result = parseWorkflowDocument({
      ...minimal,
      trigger: { type: 'event', event: 'quote.*' },
      steps: [
        { id: 'check', type: 'condition', condition: { not: { field: 'quote.total', operator: '>=', value: 10 } }, on_true: 'done', on_false: 'wait' },
        { id: 'wait', type: 'wait', wait: { event: 'quote.updated', timeout: '1h30m' }, next: 'check', on_timeout: 'done' },
        { id: 'done', type: 'action', action: { action: 'block', reason: 'too small' } },
      ],
    });
    expect(result).toMatchObject({ ok: true });
  });
});
