import { describe, expect, it } from 'vitest';
import { CENSOR, redactSecrets, redactString } from './redact.js';

describe('redactSecrets', () => {
  it('censors values under secret-looking keys at any depth, and keeps the rest', () => {
    const input = {
      user: 'ann',
      password: 'p1',
      body: { steps: [{ headers: { Authorization: 'Basic abc', 'X-Api-Key': 'k1' } }], nested: { deeper: { client_secret: 's1', refresh_token: 't1' } } },
      passed: 3,
    };
    expect(redactSecrets(input)).toEqual({
      user: 'ann',
      password: CENSOR,
      body: { steps: [{ headers: { Authorization: CENSOR, 'X-Api-Key': CENSOR } }], nested: { deeper: { client_secret: CENSOR, refresh_token: CENSOR } } },
      passed: 3,
    });
    expect(input.password).toBe('p1'); // the logged object is not changed
  });

  it('scrubs bearer tokens, JWTs and secret URL parameters inside strings', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXZhbHVl';
    expect(redactString(`sent Bearer abc.def-ghi to x`)).toBe(`sent Bearer ${CENSOR} to x`);
    expect(redactString(`token ${jwt} leaked`)).toBe(`token ${CENSOR} leaked`);
    expect(redactString('/x?access_token=abc&page=2&api_key=k#frag')).toBe(`/x?access_token=${CENSOR}&page=2&api_key=${CENSOR}#frag`);
  });

  it('keeps a JSON line valid', () => {
    const line = JSON.stringify({ req: { url: '/a?token=t0k3n', host: 'h' }, msg: 'incoming request' });
    expect(JSON.parse(redactString(line))).toEqual({ req: { url: `/a?token=${CENSOR}`, host: 'h' }, msg: 'incoming request' });
  });

  it('leaves errors, dates and non-secret values alone', () => {
    const error = new Error('boom');
    const at = new Date(0);
    const out = redactSecrets({ err: error, at, count: 2, tokens_note: null });
    expect(out.err).toBe(error);
    expect(out.at).toBe(at);
    expect(out).toMatchObject({ count: 2, tokens_note: null });
  });
});
