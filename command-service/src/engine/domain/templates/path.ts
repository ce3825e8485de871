import { hasOwn, isPlainObject } from '../json.js';

/**
 * Paths into a JSON context: `customer.profile.tier`, `order.items.0.sku`, `items[0].sku`,
 * `order.items.length`. Keys are letters, digits, `_` and `-`; an index is a canonical
 * non-negative integer (`0`, `12`, not `01`).
 */
export type PathLookup =
  | { readonly status: 'found'; readonly value: unknown }
  | { readonly status: 'missing' }
  | { readonly status: 'invalid' };

export const MAX_PATH_LENGTH = 256;

const PIECE = /^([\p{L}\p{N}_-]+)((?:\[(?:0|[1-9]\d{0,8})\])*)$/u;
const BRACKET_INDEX = /\[(\d+)\]/g;
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,8})$/;

const MISSING: PathLookup = { status: 'missing' };
const INVALID: PathLookup = { status: 'invalid' };

/** Splits a path into segments (bracket indexes become plain segments), or undefined if malformed. */
export const parsePath = (path: string): readonly string[] | undefined => {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) return undefined;
  const segments: string[] = [];
  for (const piece of path.split('.')) {
    const match = PIECE.exec(piece);
    if (match === null) return undefined;
    segments.push(match[1] ?? '');
    for (const index of (match[2] ?? '').matchAll(BRACKET_INDEX)) segments.push(index[1] ?? '');
  }
  return segments;
};

/**
 * Looks a path up. "Missing" (no such key, index out of range, traversing through a scalar or
 * null) is distinct from a found `null`. Own properties only, so `constructor` or `__proto__`
 * never reach the prototype. `length` counts array items and string code points.
 */
export const lookupPath = (context: unknown, path: string | readonly string[]): PathLookup => {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  if (segments === undefined || segments.length === 0) return INVALID;
  let current: unknown = context;
  for (const segment of segments) {
    const next = step(current, segment);
    if (next.status !== 'found') return next;
    current = next.value;
  }
  return { status: 'found', value: current };
};

const step = (current: unknown, segment: string): PathLookup => {
  if (Array.isArray(current)) {
    if (ARRAY_INDEX.test(segment)) return found(current[Number(segment)]);
    return segment === 'length' ? found(current.length) : MISSING;
  }
  if (typeof current === 'string') {
    return segment === 'length' ? found(codePointLength(current)) : MISSING;
  }
  if (isPlainObject(current) && hasOwn(current, segment)) return found(current[segment]);
  return MISSING;
};

// An undefined property is not a JSON value; treat it like an absent one.
const found = (value: unknown): PathLookup => (value === undefined ? MISSING : { status: 'found', value });

const codePointLength = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};
