import { parseWorkflowDocument } from './parse.js';
import type { FieldError } from '../shared/errors.js';

/** Builders for parser specs: a valid legacy document and helpers to read its errors. */
export type Json = Record<string, unknown>;

export const allow = (id: string, extra: Json = {}): Json => ({ id, type: 'action', action: { type: 'allow' }, ...extra });

export function legacyDoc(steps: unknown[], extra: Json = {}): Json {
  return { workflow_id: 'wf', version: '1', name: 'Test', trigger: { type: 'event', event: 'order.created' }, steps, ...extra };
}

/** The same document in the canonical shape. */
export function canonicalDoc(steps: unknown[], extra: Json = {}): Json {
  const { trigger, steps: body, ...header } = legacyDoc(steps);
  return { ...header, definition: { trigger, steps: body }, ...extra };
}

export function errorsOf(input: unknown): readonly FieldError[] {
  const result = parseWorkflowDocument(input);
  return result.ok ? [] : result.errors;
}

export const pointersOf = (input: unknown): string[] => errorsOf(input).map((error) => error.pointer);
