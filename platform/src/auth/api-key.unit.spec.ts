import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashApiKey, newApiKey, parseApiKey } from './api-key.js';

describe('API key strings', () => {
  it('name their tenant and key id, and differ every time', () => {
    const first = newApiKey('tenant-a');
    const second = newApiKey('tenant-a');
    expect(parseApiKey(first.key)).toEqual({ tenant: 'tenant-a', keyId: first.keyId });
    expect(first.key).not.toBe(second.key);
    expect(hashApiKey(first.key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(first.key)).not.toBe(hashApiKey(second.key));
  });

  it('refuse anything that is not exactly a key', () => {
    const { key } = newApiKey('t1');
    for (const bad of ['', 'iwf', key.replace('iwf.', 'abc.'), `${key}.extra`, key.slice(0, -1), `${key}x`, key.toUpperCase(), `iwf.${Buffer.from('a:b').toString('base64url')}.${'0'.repeat(32)}.${'A'.repeat(43)}`]) {
      expect(parseApiKey(bad), bad).toBeUndefined();
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (text) => void parseApiKey(text)), { numRuns: 500 });
  });
});
