import { describe, expect, it } from 'vitest';
import { jsonEquals } from '../json.js';
import { renderTemplate } from './render.js';
import { parseTemplate, templatePaths } from './scan.js';

const context = {
  order: { id: 'o-1', total: 12500, items: [{ sku: 'A' }, { sku: 'B' }], paid: false, coupon: null },
  customer: { name: 'Ada', address: { country: 'FR' } },
  approval_url: 'https://approve.example/o-1',
};
const now = '2026-03-01T10:00:00Z';
const render = (template: unknown) => renderTemplate(template, context, { now });

describe('renderTemplate: whole-string references keep the raw value', () => {
  it.each([
    ['{{order.total}}', 12500],
    ['${order.total}', 12500],
    ['{{ order.paid }}', false],
    ['${ order.coupon }', null],
    ['{{order.items}}', [{ sku: 'A' }, { sku: 'B' }]],
    ['{{customer.address}}', { country: 'FR' }],
    ['{{order.items.length}}', 2],
    ['{{order.items[1].sku}}', 'B'],
  ])('%s', (template, expected) => {
    expect(render(template)).toEqual({ value: expected, missing: [], invalid: [] });
  });

  it('gives null for a missing path and reports it', () => {
    expect(render('{{order.discount}}')).toEqual({ value: null, missing: ['order.discount'], invalid: [] });
  });
});

describe('renderTemplate: references inside text are stringified', () => {
  it('writes numbers, booleans, strings and JSON for containers', () => {
    const text = 'n={{order.total}} b=${order.paid} s={{customer.name}} a={{order.items}} o=${customer.address}';
    expect(render(text).value).toBe('n=12500 b=false s=Ada a=[{"sku":"A"},{"sku":"B"}] o={"country":"FR"}');
  });

  it('writes null as nothing without reporting it', () => {
    expect(render('coupon: [{{order.coupon}}]')).toEqual({ value: 'coupon: []', missing: [], invalid: [] });
  });

  it('writes a missing path as nothing and reports it once', () => {
    expect(render('{{x.y}}-{{x.y}}-{{z}}')).toEqual({ value: '--', missing: ['x.y', 'z'], invalid: [] });
  });

  it('renders the legacy "${{order.total}}" as a dollar sign followed by the value', () => {
    const message =
      'Order {{order.id}} requires approval - ${{order.total}} from {{customer.name}}. Approval link: {{approval_url}}';
    expect(render(message).value).toBe(
      'Order o-1 requires approval - $12500 from Ada. Approval link: https://approve.example/o-1',
    );
  });

  it('treats a string with surrounding text or two references as text', () => {
    expect(render(' {{order.total}}').value).toBe(' 12500');
    expect(render('{{order.total}}{{order.total}}').value).toBe('1250012500');
  });

  it('keeps malformed and unclosed expressions literally, reporting the malformed ones', () => {
    expect(render('a {{ not a path }} b ${x + 1} c')).toEqual({
      value: 'a {{ not a path }} b ${x + 1} c',
      missing: [],
      invalid: ['{{ not a path }}', '${x + 1}'],
    });
    expect(render('price {{order.total').value).toBe('price {{order.total');
    expect(render('cost $5 and ${').value).toBe('cost $5 and ${');
    expect(render('{{}}').invalid).toEqual(['{{}}']);
  });
});

describe('renderTemplate: JSON values', () => {
  it('renders strings at any depth and leaves keys and other scalars alone', () => {
    const template = {
      url: 'https://api.example/orders/{{order.id}}',
      body: { amount: '{{order.total}}', '{{order.id}}': 1, flags: [true, 3, null, '${customer.name}'] },
    };
    expect(render(template).value).toEqual({
      url: 'https://api.example/orders/o-1',
      body: { amount: 12500, '{{order.id}}': 1, flags: [true, 3, null, 'Ada'] },
    });
  });

  it('does not re-render substituted values (no template injection)', () => {
    const hostile = { note: 'see {{customer.name}} and ${secrets.token}', nested: { t: '{{order.id}}' } };
    expect(renderTemplate('{{note}}', hostile).value).toBe('see {{customer.name}} and ${secrets.token}');
    expect(renderTemplate('x {{note}}', hostile).value).toBe('x see {{customer.name}} and ${secrets.token}');
    expect(renderTemplate('{{nested}}', hostile).value).toEqual({ t: '{{order.id}}' });
  });

  it('renders context values far deeper than the call stack allows', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20_000; i += 1) deep = [deep];
    // jsonEquals, because the matchers themselves recurse.
    expect(jsonEquals(renderTemplate('{{d}}', { d: deep }).value, deep)).toBe(true);
    expect((renderTemplate('x{{d}}', { d: deep }).value as string).slice(0, 4)).toBe('x[[[');
  });

  it('does not mutate the template or the context', () => {
    const template = { a: ['{{order.items}}'] };
    const rendered = render(template).value as { a: unknown[][] };
    (rendered.a[0] as unknown[]).push('changed');
    expect(template).toEqual({ a: ['{{order.items}}'] });
    expect(context.order.items).toHaveLength(2);
  });
});

describe('renderTemplate: now', () => {
  it('renders the caller-supplied instant, never the clock', () => {
    expect(render('{{now}}').value).toBe('2026-03-01T10:00:00.000Z');
    expect(renderTemplate('{{now}}', context, { now: new Date(0) }).value).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['{{now_plus_24h}}', '2026-03-02T10:00:00.000Z'],
    ['{{now_plus_30m}}', '2026-03-01T10:30:00.000Z'],
    ['{{now_plus_45s}}', '2026-03-01T10:00:45.000Z'],
    ['{{now_plus_2d}}', '2026-03-03T10:00:00.000Z'],
    ['{{now_plus_1w}}', '2026-03-08T10:00:00.000Z'],
    ['${now_minus_1h}', '2026-03-01T09:00:00.000Z'],
  ])('%s', (template, expected) => {
    expect(render(template).value).toBe(expected);
  });

  it('is missing without a usable now, and ignores a context key named now', () => {
    expect(renderTemplate('{{now}}', { now: 'spoofed' })).toEqual({ value: null, missing: ['now'], invalid: [] });
    expect(renderTemplate('{{now_plus_1h}}', {}, { now: 'yesterday' }).missing).toEqual(['now_plus_1h']);
    expect(render('{{now.year}}').invalid).toEqual(['{{now.year}}']);
  });

  it('reads now_plus_-like keys that are not offsets from the context', () => {
    expect(renderTemplate('{{now_plus_soon}}', { now_plus_soon: 1 }).value).toBe(1);
  });
});

describe('parseTemplate and templatePaths', () => {
  it('splits text and references', () => {
    expect(parseTemplate('$${{a}} ${ b.c }!')).toEqual([
      { kind: 'text', text: '$$' },
      { kind: 'ref', path: 'a', raw: '{{a}}' },
      { kind: 'text', text: ' ' },
      { kind: 'ref', path: 'b.c', raw: '${ b.c }' },
      { kind: 'text', text: '!' },
    ]);
  });

  it('lists every reference in a JSON value', () => {
    expect(templatePaths({ a: ['{{x}} {{secrets.k}}'], b: { c: '${y[0]}' }, d: 5 })).toEqual([
      'x',
      'secrets.k',
      'y[0]',
    ]);
  });
});
