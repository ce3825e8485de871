import { readFileSync } from 'node:fs';
import type { WorkflowDefinitionBody } from '@iwf/contracts';
import { parseWorkflowDocument } from '@iwf/contracts';

/** Test support: a legacy fixture, imported unchanged through the definition parser. */
export function legacyDefinition(name: string): WorkflowDefinitionBody {
  const file = new URL(`../../../../../fixtures/workflows/legacy/${name}.json`, import.meta.url);
  const parsed = parseWorkflowDocument(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.document.definition;
}
