import fc from 'fast-check';

type Schema = Readonly<Record<string, unknown>>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const anyJson = fc.jsonValue({ maxDepth: 3 });
// Strings that have broken parsers before: control characters, huge, unicode, injection-shaped.
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', "'; DROP TABLE events; --", '../../etc/passwd', '%00', '{{secrets.DB}}', 'a'.repeat(5_000), '__proto__', 'constructor', '\ud800'),
);

/**
 * Values for a JSON schema (TypeBox's output), mostly valid and sometimes not: a fuzzer that
 * only sends garbage never gets past validation, one that only sends valid data never tests it.
 */
export function fromSchema(schema: unknown, depth = 0, validWeight = 5): fc.Arbitrary<unknown> {
  if (!isSchema(schema) || depth > 4) return anyJson;
  return fc.oneof({ weight: validWeight, arbitrary: shaped(schema, depth) }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: nastyString });
}

function shaped(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const union = (schema['anyOf'] ?? schema['oneOf']) as unknown[] | undefined;
  if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map((member) => fromSchema(member, depth + 1)));
  switch (schema['type']) {
    case 'object':
      return objectOf(schema, depth);
    case 'array':
      return fc.array(fromSchema(schema['items'], depth + 1), { maxLength: 6 });
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.oneof(fc.integer({ min: Number(schema['minimum'] ?? -1000) - 1, max: Math.min(Number(schema['maximum'] ?? 1000) + 1, 2 ** 31) }), fc.constantFrom(-1, 0, 2 ** 53, 1e300));
    case 'number':
      return fc.double();
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return anyJson;
  }
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (schema['format'] === 'date-time') {
    const around = fc.integer({ min: -400, max: 400 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
    return fc.oneof(around, fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), nastyString);
  }
  const pattern = typeof schema['pattern'] === 'string' ? schema['pattern'] : undefined;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : 60;
  const matching = pattern ? fc.stringMatching(new RegExp(pattern)).filter((text) => text.length <= max) : fc.string({ maxLength: Math.min(max, 60) });
  return fc.oneof({ weight: 4, arbitrary: matching }, { weight: 1, arbitrary: nastyString });
}

function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const keys = Object.keys(properties);
  const record = fc.record(Object.fromEntries(keys.map((key) => [key, fromSchema(properties[key], depth + 1)])), { requiredKeys: keys.filter((key) => required.includes(key)) });
  const extra = fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('tenant', 'actor', '__proto__', 'constructor')), anyJson, { maxKeys: 2 });
  return fc.oneof({ weight: 4, arbitrary: record }, { weight: 1, arbitrary: fc.tuple(record, extra).map(([known, unknown]) => ({ ...unknown, ...known })) });
}

/** A valid document with one value replaced by arbitrary JSON, or one key removed. */
export function mutated(base: Readonly<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  return fc.oneof(
    fc.constant(structuredClone(base)),
    fc.tuple(fc.nat({ max: paths.length - 1 }), fc.oneof(anyJson, nastyString), fc.boolean()).map(([index, value, remove]) => {
      const copy = structuredClone(base) as Record<string, unknown>;
      const path = paths[index] ?? [];
      let parent: Record<string, unknown> = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
      const last = path.at(-1);
      if (last === undefined) return value;
      if (remove) delete parent[last];
      else parent[last] = value;
      return copy;
    }),
  );
}

function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/**
 * A query string for a querystring schema: up to two of its keys with mostly valid values,
 * sometimes an unknown key. `skip` names keys left out (a far-future min_position rightly
 * answers 503 after its bounded wait).
 */
export function queryOf(schema: unknown, skip: readonly string[] = []): fc.Arbitrary<string> {
  const properties = isSchema(schema) && isSchema(schema['properties']) ? schema['properties'] : {};
  const value = (property: unknown): fc.Arbitrary<string> =>
    fromSchema(property, 3, 12).map((generated) => (typeof generated === 'string' ? generated : (JSON.stringify(generated) ?? '')));
  const keys = Object.keys(properties).filter((key) => !skip.includes(key));
  const known =
    keys.length === 0
      ? fc.constant({})
      : fc.subarray(keys, { maxLength: Math.min(2, keys.length) }).chain((chosen) => fc.record(Object.fromEntries(chosen.map((key) => [key, value(properties[key])]))));
  const unknown = fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 1 });
  return fc.tuple(known, fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: unknown })).map(([fields, extra]) => {
    const query = new URLSearchParams({ ...extra, ...fields }).toString();
    return query === '' ? '' : `?${query}`;
  });
}
