import type { JsonRecord, TriggerEventInfo } from '@iwf/contracts';
import { isPlainObject, setOwn } from '../json.js';

// Deeper than this, a merged value replaces rather than merges: bounds the recursion.
const MAX_MERGE_DEPTH = 32;

/**
 * `patch` merged into `base`: objects merge key by key, anything else (arrays included)
 * replaces. Returns new objects along merged paths; neither input is changed.
 */
export function deepMerge(base: unknown, patch: unknown, depth = 0): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch) || depth >= MAX_MERGE_DEPTH) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    setOwn(merged, key, Object.prototype.hasOwnProperty.call(base, key) ? deepMerge(base[key], value, depth + 1) : value);
  }
  return merged;
}

export const mergeInto = (context: JsonRecord, patch: unknown): JsonRecord => {
  const merged = deepMerge(context, patch);
  return isPlainObject(merged) ? merged : context;
};

/** The context with `value` at a dotted path, creating (or replacing non-object) parents. */
export function setAtPath(context: JsonRecord, path: readonly string[], value: unknown): JsonRecord {
  const [head, ...rest] = path;
  if (head === undefined) return context;
  const copy: Record<string, unknown> = { ...context };
  const child = Object.prototype.hasOwnProperty.call(context, head) ? context[head] : undefined;
  setOwn(copy, head, rest.length === 0 ? value : setAtPath(isPlainObject(child) ? child : {}, rest, value));
  return copy;
}

/**
 * The trigger payload at top level, plus `event` for an event trigger. `event` also carries
 * the payload's fields (`{{event.batch_id}}` in the legacy fixtures), under its own
 * id, type, source and received_at.
 */
export function initialContext(payload: JsonRecord, event: TriggerEventInfo | undefined): JsonRecord {
  const base = isPlainObject(payload) ? payload : {};
  return event === undefined ? base : setAtPath(base, ['event'], { ...base, ...event });
}

/**
 * A loaded resource lands merged into its root entity and at its own path:
 * `customer.profile` → merged into `customer`, and at `customer.profile`.
 */
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

/** What templates and conditions of a thread see: the context with its foreach variables on top. */
export const scopeOf = (context: JsonRecord, vars: JsonRecord): JsonRecord =>
  Object.keys(vars).length === 0 ? context : { ...context, ...vars };
