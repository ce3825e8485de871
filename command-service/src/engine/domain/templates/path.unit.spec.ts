import { describe, expect, it } from 'vitest';
import { lookupPath, parsePath } from './path.js';

const context = {
  customer: { profile: { tier: 'gold' }, nickname: null, tags: ['a', 'b'] },
  order: { items: [{ sku: 'A-1' }, { sku: 'B-2' }], note: 'héllo 👋', counts: { length: 7 } },
  'fetch-data': { status: 200 },
};

describe('parsePath', () => {
  it('splits dotted keys and bracket indexes into segments', () => {
    expect(parsePath('customer.profile.tier')).toEqual(['customer', 'profile', 'tier']);
    expect(parsePath('items[0].sku')).toEqual(['items', '0', 'sku']);
    expect(parsePath('matrix[1][2]')).toEqual(['matrix', '1', '2']);
    expect(parsePath('fetch-data.status')).toEqual(['fetch-data', 'status']);
  });

  it.each(['', '.a', 'a.', 'a..b', 'a b', '[0]', 'a.[0]', 'a[01]', 'a[-1]', 'a[x]', 'a{b}', '$a', 'x'.repeat(257)])(
    'rejects the malformed path %j',
    (path) => {
      expect(parsePath(path)).toBeUndefined();
    },
  );
});

describe('lookupPath', () => {
  it('follows nested keys', () => {
    expect(lookupPath(context, 'customer.profile.tier')).toEqual({ status: 'found', value: 'gold' });
  });

  it('indexes arrays with a dotted number or brackets', () => {
    expect(lookupPath(context, 'order.items.0.sku')).toEqual({ status: 'found', value: 'A-1' });
    expect(lookupPath(context, 'order.items[1].sku')).toEqual({ status: 'found', value: 'B-2' });
    expect(lookupPath(context, 'order.items.2')).toEqual({ status: 'missing' });
    expect(lookupPath(context, 'order.items.01')).toEqual({ status: 'missing' });
  });

  it('gives the length of arrays and strings (in code points)', () => {
    expect(lookupPath(context, 'order.items.length')).toEqual({ status: 'found', value: 2 });
    expect(lookupPath(context, 'order.note.length')).toEqual({ status: 'found', value: 7 });
  });

  it('reads an object key named length as an ordinary key', () => {
    expect(lookupPath(context, 'order.counts.length')).toEqual({ status: 'found', value: 7 });
    expect(lookupPath(context, 'customer.profile.length')).toEqual({ status: 'missing' });
  });

  it('distinguishes a null value from a missing one', () => {
    expect(lookupPath(context, 'customer.nickname')).toEqual({ status: 'found', value: null });
    expect(lookupPath(context, 'customer.email')).toEqual({ status: 'missing' });
    expect(lookupPath(context, 'customer.nickname.first')).toEqual({ status: 'missing' });
  });

  it('does not traverse through scalars', () => {
    expect(lookupPath(context, 'customer.profile.tier.name')).toEqual({ status: 'missing' });
    expect(lookupPath({ n: 5 }, 'n.length')).toEqual({ status: 'missing' });
  });

  it('never reaches the prototype', () => {
    expect(lookupPath(context, 'customer.constructor')).toEqual({ status: 'missing' });
    expect(lookupPath(context, 'customer.__proto__')).toEqual({ status: 'missing' });
    expect(lookupPath(context, 'customer.tags.map')).toEqual({ status: 'missing' });
  });

  it('reads an own __proto__ key from parsed JSON', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"x": 1}}');
    expect(lookupPath(parsed, '__proto__.x')).toEqual({ status: 'found', value: 1 });
  });

  it('reports malformed paths as invalid', () => {
    expect(lookupPath(context, 'customer..tier')).toEqual({ status: 'invalid' });
  });

  it('treats non-object contexts as having no keys', () => {
    expect(lookupPath(null, 'a')).toEqual({ status: 'missing' });
    expect(lookupPath(42, 'a')).toEqual({ status: 'missing' });
    expect(lookupPath({ a: undefined }, 'a')).toEqual({ status: 'missing' });
  });
});
