import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Json = Record<string, unknown>;

const LEGACY_DIR = fileURLToPath(new URL('../../../../fixtures/workflows/legacy/', import.meta.url));

/** Every file of fixtures/workflows/legacy, as the text a client would send. */
export function legacyFixtures(): { file: string; text: string; document: Json }[] {
  return readdirSync(LEGACY_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(`${LEGACY_DIR}${file}`, 'utf8');
      return { file, text, document: JSON.parse(text) as Json };
    });
}

export const allowStep = (id: string, extra: Json = {}): Json => ({ id, type: 'action', action: { type: 'allow' }, ...extra });

/** A small valid workflow in the legacy (top-level) shape. */
export function legacyWorkflow(workflowId: string, extra: Json = {}): Json {
  return {
    workflow_id: workflowId,
    version: '1.0.0',
    name: `Workflow ${workflowId}`,
    trigger: { type: 'event', event: 'order.created' },
    steps: [allowStep('allow')],
    ...extra,
  };
}

/** The same in the canonical shape; `definition` overrides the definition body's fields. */
export function canonicalWorkflow(workflowId: string, extra: Json = {}, definition: Json = {}): Json {
  return {
    workflow_id: workflowId,
    version: '1.0.0',
    name: `Workflow ${workflowId}`,
    definition: { trigger: { type: 'event', event: 'order.created' }, steps: [allowStep('allow')], ...definition },
    ...extra,
  };
}
