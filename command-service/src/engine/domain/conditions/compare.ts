import type { JsonValue } from '../json.js';
import { jsonEquals } from '../json.js';
import { parseIsoInstant } from '../templates/index.js';

/**
 * Typed comparison. The JSON types of both sides decide:
 * - numbers compare as numbers; a number against a string compares numerically when the string
 *   is a decimal number (`"10.5"`, `"-3"`, `"1e3"`) and is an error otherwise;
 * - two strings: equal when the same text (or the same instant, if both are ISO-8601); ordered
 *   as instants if both are dates, as numbers if both are decimal, else by UTF-16 code units
 *   (case-sensitive, not locale);
 * - booleans, arrays and objects only compare for equality, with their own type;
 * - `null` equals only `null` and cannot be ordered.
 * Any other pairing is an error, never a silent false.
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export const typeName = (value: JsonValue): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
};

/** The number a decimal string spells, or undefined (no trimming, no hex, no empty string). */
export const numericString = (text: string): number | undefined => {
  if (!DECIMAL.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
};

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const incomparable = (left: JsonValue, right: JsonValue, what: string): Outcome<never> => ({
  ok: false,
  message: `cannot ${what} ${describeValue(left)} and ${describeValue(right)}`,
});

const describeValue = (value: JsonValue): string =>
  typeof value === 'string'
    ? `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
    : `${/^[ao]/.test(typeName(value)) ? 'an' : 'a'} ${typeName(value)}`;

/** Both sides as numbers when one is a number and the other a number or a decimal string. */
interface NumberPair {
  readonly left: number;
  readonly right: number;
}

const asNumbers = (left: JsonValue, right: JsonValue): NumberPair | 'no' | 'mixed' => {
  if (typeof left !== 'number' && typeof right !== 'number') return 'no';
  const l = typeof left === 'string' ? numericString(left) : left;
  const r = typeof right === 'string' ? numericString(right) : right;
  return typeof l === 'number' && typeof r === 'number' ? { left: l, right: r } : 'mixed';
};

const asInstants = (left: string, right: string): readonly [number, number] | undefined => {
  const l = parseIsoInstant(left);
  const r = parseIsoInstant(right);
  return l !== undefined && r !== undefined ? [l, r] : undefined;
};

const sign = (left: number | string, right: number | string): number => (left < right ? -1 : left > right ? 1 : 0);

/** -1, 0 or 1 for `gt`/`gte`/`lt`/`lte`. */
export const order = (left: JsonValue, right: JsonValue): Outcome<number> => {
  const numbers = asNumbers(left, right);
  if (typeof numbers === 'object') return ok(sign(numbers.left, numbers.right));
  if (typeof left !== 'string' || typeof right !== 'string') return incomparable(left, right, 'order');
  return orderStrings(left, right);
};

/**
 * Two instants order by time and two decimal strings by value (`"50"` < `"100"`), other strings
 * by code units. When only one side is a date or a number the order would be an accident of
 * spelling, so that is an error.
 */
const orderStrings = (left: string, right: string): Outcome<number> => {
  const kinds = [left, right].map((text) =>
    parseIsoInstant(text) !== undefined ? 'date' : numericString(text) !== undefined ? 'number' : 'text',
  );
  if (kinds[0] !== kinds[1]) {
    return { ok: false, message: `cannot order ${describeValue(left)} (${kinds[0]}) and ${describeValue(right)} (${kinds[1]})` };
  }
  if (kinds[0] === 'date') return ok(sign(parseIsoInstant(left) ?? 0, parseIsoInstant(right) ?? 0));
  if (kinds[0] === 'number') return ok(sign(numericString(left) ?? 0, numericString(right) ?? 0));
  return ok(sign(left, right));
};

/** Equality for `eq`/`neq`, with the same typing as `order`. */
export const equal = (left: JsonValue, right: JsonValue): Outcome<boolean> => {
  if (left === null || right === null) return ok(left === right);
  const numbers = asNumbers(left, right);
  if (typeof numbers === 'object') return ok(numbers.left === numbers.right);
  if (numbers === 'mixed') return incomparable(left, right, 'compare');
  if (typeof left === 'string' && typeof right === 'string') {
    const instants = asInstants(left, right);
    return ok(instants === undefined ? left === right : instants[0] === instants[1]);
  }
  if (typeName(left) !== typeName(right)) return incomparable(left, right, 'compare');
  return ok(jsonEquals(left, right));
};

/** Membership (`in`, `contains` on arrays): an element of another type is simply not a match. */
export const includesEqual = (items: readonly JsonValue[], value: JsonValue): boolean =>
  items.some((item) => {
    const outcome = equal(value, item);
    return outcome.ok && outcome.value;
  });
