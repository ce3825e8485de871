import type { JsonRecord } from '@iwf/contracts';

/**
 * How the execution context changes, as the engine defines it (WORKFLOWS.md "Context"): the
 * read model keeps its own copy of these rules so it can evolve apart from the engine.
 */

// Deeper than this, a merged value replaces rather than merges (the engine's bound too).
const MAX_MERGE_DEPTH = 32;

export const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// defineProperty, so a `__proto__` key from JSON stays data and never becomes a prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Objects merge key by key; anything else, arrays included, replaces. */
export function deepMerge(base: unknown, patch: unknown, depth = 0): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch) || depth >= MAX_MERGE_DEPTH) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    setOwn(merged, key, hasOwn(base, key) ? deepMerge(base[key], value, depth + 1) : value);
  }
  return merged;
}

export function mergeInto(context: JsonRecord, patch: unknown): JsonRecord {
  const merged = deepMerge(context, patch);
  return isPlainObject(merged) ? merged : context;
}

function setAtPath(context: JsonRecord, path: readonly string[], value: unknown): JsonRecord {
  const [head, ...rest] = path;
  if (head === undefined) return context;
  const copy: Record<string, unknown> = { ...context };
  const child = hasOwn(context, head) ? context[head] : undefined;
  setOwn(copy, head, rest.length === 0 ? value : setAtPath(isPlainObject(child) ? child : {}, rest, value));
  return copy;
}

/** A loaded resource `customer.profile` is merged into `customer` and also set at `customer.profile`. */
export function applyLoadedResources(context: JsonRecord, values: JsonRecord): JsonRecord {
  let next = context;
  for (const name of Object.keys(values)) {
    const value = values[name];
    const segments = name.split('.').filter((segment) => segment.length > 0);
    const root = segments[0];
    if (root === undefined || value === undefined) continue;
    if (segments.length > 1 && isPlainObject(value)) next = mergeInto(next, { [root]: value });
    next = setAtPath(next, segments, segments.length > 1 ? value : deepMerge(next[root], value));
  }
  return next;
}

/** An http_request's JSON object answer becomes part of the context. */
export function mergeHttpAnswer(context: JsonRecord, result: unknown): JsonRecord {
  const body = isPlainObject(result) ? result['body'] : undefined;
  return isPlainObject(body) ? mergeInto(context, body) : context;
}
