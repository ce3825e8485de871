/** JSON values and the few helpers the expression layer needs to walk them safely. */

export type JsonPrimitive = string | number | boolean | null;
export type JsonArray = readonly JsonValue[];
export interface JsonObject {
  readonly [key: string]: JsonValue;
}
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

/** A plain object (literal or JSON.parse output); class instances are not traversed. */
export const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

export const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Defines a property even when the key is `__proto__`, which plain assignment would not. */
export const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

type Container = readonly unknown[] | Readonly<Record<string, unknown>>;
const isContainer = (value: unknown): value is Container => Array.isArray(value) || isPlainObject(value);

/** Non-finite numbers become null; other non-JSON leaves (undefined, functions, class instances) are dropped. */
const toJsonLeaf = (value: unknown): JsonValue | undefined => {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return undefined;
};

/**
 * Copies a value as JSON, replacing every string by `mapString(string)`; the replacement is
 * inserted as is and never walked again. Iterative, so deep values cannot overflow the stack.
 * Object keys are kept; a dropped leaf is left out of an object and null in an array.
 * Inputs must be acyclic, as anything parsed from JSON is.
 */
export const mapJsonStrings = (root: unknown, mapString: (text: string) => JsonValue): JsonValue => {
  const leaf = (value: unknown): JsonValue | undefined =>
    typeof value === 'string' ? mapString(value) : toJsonLeaf(value);
  if (!isContainer(root)) return leaf(root) ?? null;
  const output = emptyLike(root);
  const pending: [Container, unknown[] | Record<string, unknown>][] = [[root, output]];
  for (let frame = pending.pop(); frame !== undefined; frame = pending.pop()) {
    const [source, target] = frame;
    for (const [key, value] of entriesOf(source)) {
      if (isContainer(value)) {
        const child = emptyLike(value);
        put(target, key, child);
        pending.push([value, child]);
      } else {
        const mapped = leaf(value);
        if (mapped !== undefined || Array.isArray(target)) put(target, key, mapped ?? null);
      }
    }
  }
  return output as JsonValue;
};

/** Calls `visit` on every string of a value in document order; stops early when it returns true. */
export const someJsonString = (root: unknown, visit: (text: string) => boolean): boolean => {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (visit(value)) return true;
    } else if (isContainer(value)) {
      // Reversed so strings are visited in document order.
      pushAll(pending, entriesOf(value).map(([, child]) => child).reverse());
    }
  }
  return false;
};

/** Structural equality of JSON values; object key order does not matter. Iterative. */
export const jsonEquals = (left: unknown, right: unknown): boolean => {
  const pending: [unknown, unknown][] = [[left, right]];
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [a, b] = pair;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      a.forEach((item, index) => pending.push([item, b[index]]));
    } else if (isPlainObject(a) && isPlainObject(b)) {
      const keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) return false;
      for (const key of keys) {
        if (!hasOwn(b, key)) return false;
        pending.push([a[key], b[key]]);
      }
    } else if (!Object.is(a, b) && !(a === 0 && b === 0)) {
      return false;
    }
  }
  return true;
};

/**
 * JSON text of a JSON value, like JSON.stringify without indentation, but iterative: the
 * built-in overflows the stack on values a few thousand levels deep.
 */
export const stringifyJson = (root: JsonValue): string => {
  const output: string[] = [];
  const pending: ({ readonly text: string } | { readonly value: JsonValue })[] = [{ value: root }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if ('text' in item) output.push(item.text);
    else if (Array.isArray(item.value)) pushAll(pending, reversedTokens(item.value, '[', ']'));
    else if (isPlainObject(item.value)) pushAll(pending, reversedTokens(item.value, '{', '}'));
    else output.push(JSON.stringify(item.value));
  }
  return output.join('');
};

const reversedTokens = (value: JsonArray | JsonObject, open: string, close: string) => {
  const tokens: ({ text: string } | { value: JsonValue })[] = [{ text: open }];
  const array = Array.isArray(value);
  for (const [key, child] of entriesOf(value)) {
    if (tokens.length > 1) tokens.push({ text: ',' });
    if (!array) tokens.push({ text: `${JSON.stringify(key)}:` });
    tokens.push({ value: child as JsonValue });
  }
  tokens.push({ text: close });
  return tokens.reverse();
};

// Spreading a huge array into push() would exceed the argument limit.
const pushAll = <T>(target: T[], items: readonly T[]): void => {
  for (const item of items) target.push(item);
};

const emptyLike = (value: Container): unknown[] | Record<string, unknown> => (Array.isArray(value) ? [] : {});

const entriesOf = (value: Container): [string, unknown][] => {
  if (isPlainObject(value)) return Object.keys(value).map((key): [string, unknown] => [key, value[key]]);
  return Array.from(value, (item, index): [string, unknown] => [String(index), item]);
};

const put = (target: unknown[] | Record<string, unknown>, key: string, value: unknown): void => {
  if (Array.isArray(target)) target[Number(key)] = value;
  else setOwn(target, key, value);
};
