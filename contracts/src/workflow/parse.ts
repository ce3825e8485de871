import { Type } from '@sinclair/typebox';
import type { FieldError } from '../shared/errors.js';
import { workflowHeaderProperties } from './definition.js';
import type { WorkflowDefinitionBody, WorkflowDocument } from './definition.js';
import { WORKFLOW_LIMITS } from './limits.js';
import { schemaErrors } from './schema-errors.js';
import { DEFINITION_KEYS, validateDefinition } from './validate-definition.js';
import { isObject, newWalk, report } from './walk.js';
import type { Walk } from './walk.js';

export type ParseWorkflowResult =
  | { readonly ok: true; readonly document: WorkflowDocument }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const HEADER_KEYS = Object.keys(workflowHeaderProperties);
const KNOWN_KEYS = new Set<string>([...HEADER_KEYS, ...DEFINITION_KEYS, 'definition']);
const HeaderSchema = Type.Object(workflowHeaderProperties, { additionalProperties: true });

/** Depth of nested arrays/objects, counted without recursion so any input is safe to measure. */
function exceedsDepth(input: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[input, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [value, depth] = entry;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Problems with the document as a whole, checked before anything walks into it. */
function envelopeError(input: unknown): FieldError | undefined {
  if (!isObject(input)) return { pointer: '', message: 'must be a JSON object' };
  if (exceedsDepth(input, WORKFLOW_LIMITS.maxJsonDepth)) {
    return { pointer: '', message: `nests deeper than ${WORKFLOW_LIMITS.maxJsonDepth} levels` };
  }
  let bytes: number;
  try {
    bytes = new TextEncoder().encode(JSON.stringify(input)).length;
  } catch {
    return { pointer: '', message: 'must be plain JSON' };
  }
  return bytes > WORKFLOW_LIMITS.maxDocumentBytes
    ? { pointer: '', message: `is ${bytes} bytes; a definition may have at most ${WORKFLOW_LIMITS.maxDocumentBytes}` }
    : undefined;
}

/** Where the definition body is: under `definition` (canonical) or at the top level (legacy). */
function locateBody(walk: Walk, input: Record<string, unknown>): { body: Record<string, unknown>; pointer: string } | undefined {
  if (Object.hasOwn(input, 'definition')) {
    for (const key of DEFINITION_KEYS.filter((k) => Object.hasOwn(input, k))) {
      report(walk, `/${key}`, 'belongs inside "definition"; the top-level (legacy) shape has no "definition" key');
    }
    const body = input['definition'];
    if (isObject(body)) return { body, pointer: '/definition' };
    report(walk, '/definition', 'must be an object');
    return undefined;
  }
  if (DEFINITION_KEYS.some((key) => Object.hasOwn(input, key))) {
    return { body: Object.fromEntries(DEFINITION_KEYS.filter((k) => Object.hasOwn(input, k)).map((k) => [k, input[k]])), pointer: '' };
  }
  report(walk, '/definition', 'is required (or trigger and steps at the top level, the legacy shape)');
  return undefined;
}

function canonical(input: Record<string, unknown>, body: Record<string, unknown>): WorkflowDocument {
  const definition = Object.fromEntries(DEFINITION_KEYS.filter((k) => body[k] !== undefined).map((k) => [k, structuredClone(body[k])]));
  const tags = Array.isArray(input['tags']) ? [...new Set(input['tags'] as string[])] : [];
  return {
    workflow_id: input['workflow_id'] as string,
    version: input['version'] as string,
    name: input['name'] as string,
    description: typeof input['description'] === 'string' ? input['description'] : null,
    tags,
    enabled: input['enabled'] !== false,
    definition: definition as WorkflowDefinitionBody,
    extra: structuredClone(Object.fromEntries(Object.entries(input).filter(([key]) => !KNOWN_KEYS.has(key)))),
  };
}

/**
 * Validates a submitted workflow (canonical or legacy shape) and returns it in canonical
 * form, or every error found, each with a JSON pointer into the document as submitted.
 */
export function parseWorkflowDocument(input: unknown): ParseWorkflowResult {
  const envelope = envelopeError(input);
  if (envelope !== undefined || !isObject(input)) return { ok: false, errors: [envelope ?? { pointer: '', message: 'must be a JSON object' }] };
  const walk = newWalk();
  walk.errors.push(...schemaErrors(HeaderSchema, input, ''));
  const located = locateBody(walk, input);
  if (located !== undefined) validateDefinition(walk, located.body, located.pointer);
  if (walk.errors.length > 0 || located === undefined) return { ok: false, errors: walk.errors };
  return { ok: true, document: canonical(input, located.body) };
}
