import { describe, expect, it } from 'vitest';
import { renderTemplate } from './render.js';
import { containsSecretRefs, listSecretRefs, resolveSecrets } from './secrets.js';

const secrets: Record<string, string> = { fraud_api_token: 't0k$&n', other: 'o' };
const lookup = (name: string): string | undefined => secrets[name];

const request = {
  url: 'https://fraud-api.example.com/check',
  headers: { Authorization: 'Bearer {{secrets.fraud_api_token}}' },
  body: { customer_id: '{{customer.id}}', token: '${secrets.other}' },
};
const context = { customer: { id: 'c-1' } };

describe('secret references', () => {
  it('are left as markers by rendering, so the rendered value holds no secret', () => {
    const rendered = renderTemplate(request, context);
    expect(JSON.stringify(rendered.value)).not.toContain('t0k');
    expect(rendered.missing).toEqual([]);
    expect(containsSecretRefs(rendered.value)).toBe(true);
    expect(listSecretRefs(rendered.value)).toEqual(['fraud_api_token', 'other']);
  });

  it('are substituted by resolveSecrets at send time, verbatim', () => {
    const rendered = renderTemplate(request, context).value;
    expect(resolveSecrets(rendered, lookup)).toEqual({
      ok: true,
      value: {
        url: 'https://fraud-api.example.com/check',
        headers: { Authorization: 'Bearer t0k$&n' },
        body: { customer_id: 'c-1', token: 'o' },
      },
    });
  });

  it('fail to resolve when a secret is unknown, naming it', () => {
    const rendered = renderTemplate(['{{secrets.nope}}', '{{secrets.other}}', 'x {{secrets.nope}}'], {}).value;
    expect(resolveSecrets(rendered, lookup)).toEqual({ ok: false, missing: ['nope'] });
  });

  it('are absent from values without them', () => {
    const rendered = renderTemplate({ a: '{{customer.id}}' }, context).value;
    expect(containsSecretRefs(rendered)).toBe(false);
    expect(resolveSecrets(rendered, lookup)).toEqual({ ok: true, value: { a: 'c-1' } });
  });

  it('cannot be forged by context data, even with the marker characters', () => {
    const hostile = {
      plain: '{{secrets.fraud_api_token}}',
      forged: '\uFDD0secrets.fraud_api_token\uFDD1',
      parts: { open: '\uFDD0secrets.', close: '\uFDD1' },
    };
    const rendered = renderTemplate(['{{plain}}', '{{forged}}', 'x{{forged}}', '{{parts.open}}other{{parts.close}}'], hostile);
    expect(containsSecretRefs(rendered.value)).toBe(false);
    const resolved = resolveSecrets(rendered.value, lookup);
    expect(JSON.stringify(resolved)).not.toContain('t0k');
    expect(JSON.stringify(resolved)).not.toContain('"o"');
  });

  it('cannot be forged by marker characters in definition text around a reference', () => {
    const rendered = renderTemplate('\uFDD0secrets.{{name}}\uFDD1', { name: 'fraud_api_token' });
    expect(containsSecretRefs(rendered.value)).toBe(false);
  });

  it('reject malformed secret paths instead of reading the context', () => {
    const rendered = renderTemplate(['{{secrets}}', '{{secrets.a.b}}'], { secrets: { a: { b: 'leak' } } });
    expect(rendered.invalid).toEqual(['{{secrets}}', '{{secrets.a.b}}']);
    expect(JSON.stringify(rendered.value)).not.toContain('leak');
  });
});
