import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../json.js';
import { renderTemplate, textOf } from './render.js';
import { parseTemplate } from './scan.js';
import { containsSecretRefs } from './secrets.js';

const fragment = fc.constantFrom('{{', '}}', '${', '}', '$', '{', ' ', 'a', 'b.c', 'x[0]', 'now', 'now_plus_2h', 'secrets.k', 'items.length', '.', '\uFDD0', '\uFDD1');
const templateString = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
const templateValue = fc.jsonValue({ maxDepth: 3 }).chain((shape) =>
  fc.array(templateString, { minLength: 1, maxLength: 8 }).map((strings) => replaceStrings(shape, strings)),
);
const contextArb = fc.record({ a: fc.jsonValue(), b: fc.record({ c: fc.jsonValue() }), x: fc.array(fc.jsonValue()), items: fc.array(fc.integer()) });

/** Replaces the strings of a JSON shape with template strings, cycling through them. */
function replaceStrings(value: unknown, strings: readonly string[], counter = { n: 0 }): unknown {
  if (typeof value === 'string') return strings[counter.n++ % strings.length];
  if (Array.isArray(value)) return value.map((item) => replaceStrings(item, strings, counter));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, strings, counter)]));
  }
  return value;
}

const safeString = fc.string().filter((s) => !/[\uFDD0\uFDD1]/.test(s));

describe('renderTemplate properties', () => {
  it('is total: any template, any context, gives JSON and string lists', () => {
    fc.assert(
      fc.property(fc.oneof(templateValue, templateString, fc.anything()), fc.oneof(contextArb, fc.anything()), (template, context) => {
        const result = renderTemplate(template, context, { now: '2026-03-01T00:00:00Z' });
        expect(() => JSON.stringify(result.value)).not.toThrow();
        expect(result.missing.every((path) => typeof path === 'string')).toBe(true);
        expect(result.invalid.every((raw) => typeof raw === 'string')).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it('leaves values without delimiters unchanged', () => {
    const plain = fc.jsonValue().filter((value) => !/\{\{|\$\{|[\uFDD0\uFDD1]/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(plain, contextArb, (template, context) => {
        expect(renderTemplate(template, context)).toEqual({ value: template, missing: [], invalid: [] });
      }),
    );
  });

  it('gives the raw context value for a whole-string reference', () => {
    const markerFree = fc.jsonValue().filter((value) => !/[\uFDD0\uFDD1]/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(markerFree, fc.constantFrom('{{v}}', '${v}', '{{ v }}', '${  v\t}'), (value, template) => {
        expect(renderTemplate(template, { v: value }).value).toEqual(value);
      }),
    );
  });

  it('stringifies a reference inside text', () => {
    const markerFree = fc.jsonValue().filter((value) => !/[\uFDD0\uFDD1]/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(markerFree, (value) => {
        expect(renderTemplate('<{{v}}>', { v: value }).value).toBe(`<${textOf(value as JsonValue)}>`);
      }),
    );
  });

  it('never re-renders context text, and context text never yields a secret reference', () => {
    fc.assert(
      fc.property(fc.oneof(safeString, templateString), (text) => {
        const rendered = renderTemplate(['{{t}}', 'x{{t}}'], { t: text, a: 'A', secrets: { k: 'S' } }).value;
        expect(containsSecretRefs(rendered)).toBe(false);
        if (!/[\uFDD0\uFDD1]/.test(text)) expect(rendered).toEqual([text, `x${text}`]);
      }),
    );
  });

  it('parses templates losslessly: the parts spell the original text', () => {
    fc.assert(
      fc.property(fc.oneof(templateString, fc.string()), (text) => {
        const spelled = parseTemplate(text)
          .map((part) => (part.kind === 'text' ? part.text : part.raw))
          .join('');
        expect(spelled).toBe(text);
      }),
    );
  });
});
