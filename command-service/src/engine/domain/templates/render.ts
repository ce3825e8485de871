import type { JsonValue } from '../json.js';
import { mapJsonStrings, stringifyJson } from '../json.js';
import type { Resolution, TemplateOptions } from './references.js';
import { resolveReference } from './references.js';
import type { TemplatePart } from './scan.js';
import { parseTemplate } from './scan.js';
import { neutraliseMarkers, secretMarker } from './secrets.js';

export interface RenderResult {
  readonly value: JsonValue;
  /** Paths that resolved to nothing, once each, in order of appearance. */
  readonly missing: readonly string[];
  /** Delimited expressions that are not valid paths, kept literally in the output. */
  readonly invalid: readonly string[];
}

interface Report {
  readonly missing: Set<string>;
  readonly invalid: Set<string>;
}

/**
 * Renders every string of a JSON value (object keys are left alone) in one pass over the
 * template: substituted values are never scanned again, so context data cannot inject
 * templates. A string that is exactly one reference takes the raw value (`null` when missing);
 * a reference inside text is stringified (see `textOf`). Secret references become markers for
 * `resolveSecrets`. Never throws; the caller decides what missing paths mean.
 */
export const renderTemplate = (template: unknown, context: unknown, options: TemplateOptions = {}): RenderResult => {
  const report: Report = { missing: new Set(), invalid: new Set() };
  const value = mapJsonStrings(template, (text) => renderString(text, context, options, report));
  return { value, missing: [...report.missing], invalid: [...report.invalid] };
};

const renderString = (text: string, context: unknown, options: TemplateOptions, report: Report): JsonValue => {
  const parts = parseTemplate(text);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.kind === 'ref') return rawValue(only.path, only.raw, resolveReference(only.path, context, options), report);
  return parts.map((part) => partText(part, context, options, report)).join('');
};

const rawValue = (path: string, raw: string, resolution: Resolution, report: Report): JsonValue => {
  switch (resolution.status) {
    case 'found':
      return toSafeJson(resolution.value);
    case 'missing':
      report.missing.add(path);
      return null;
    case 'invalid':
      report.invalid.add(raw);
      return neutraliseMarkers(raw);
    case 'secret':
      return secretMarker(resolution.name);
  }
};

const partText = (part: TemplatePart, context: unknown, options: TemplateOptions, report: Report): string => {
  switch (part.kind) {
    case 'text':
      return neutraliseMarkers(part.text);
    case 'invalid':
      report.invalid.add(part.raw);
      return neutraliseMarkers(part.raw);
    case 'ref': {
      const resolved = rawValue(part.path, part.raw, resolveReference(part.path, context, options), report);
      return textOf(resolved);
    }
  }
};

/**
 * How a value reads inside text: strings as they are, numbers and booleans as JSON writes them,
 * objects and arrays as compact JSON, and `null` (or a missing path) as nothing, so an empty
 * optional field does not print "null" into a message.
 */
export const textOf = (value: JsonValue): string => {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return stringifyJson(value);
};

/** Context data copied into output: JSON only, with marker characters neutralised. */
const toSafeJson = (value: unknown): JsonValue => mapJsonStrings(value, neutraliseMarkers);
