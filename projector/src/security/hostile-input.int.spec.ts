import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, bodyOf, pointersOf, type ApiClient } from '../runtime/testing/http.js';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';

const ORIGIN = 'https://app.example.test';

let system: TestSystem;
let admin: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('hostile_input', { env: { ALLOWED_ORIGINS: ORIGIN, MIN_POSITION_WAIT_MS: '5000' } });
  admin = apiClient(system.app, await system.tokenFor('hostile'));
});

afterAll(async () => {
  await system?.close();
});

const nested = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { d: value };
  return value;
};

describe('a regex condition built to backtrack catastrophically', () => {
  it('is decided within the bound through the whole HTTP path (workflow, rule, ingest)', async () => {
    const rule = await admin.post('/rules', { rule_id: 'evil', name: 'evil', condition: { field: 'text', operator: 'regex', value: '^(a|aa)*$' } });
    expect(rule.statusCode, rule.body).toBe(201);
    const steps = [
      { id: 'nested', type: 'condition', condition: { field: 'text', operator: 'regex', value: '^(a+)+$' }, on_true: 'allow', on_false: 'rule' },
      { id: 'rule', type: 'condition', condition: { rule_id: 'evil' }, on_true: 'allow', on_false: 'block' },
      { id: 'allow', type: 'action', action: { type: 'allow' } },
      { id: 'block', type: 'action', action: { type: 'block' } },
    ];
    expect((await admin.post('/workflows', legacyWorkflow('redos', { trigger: { type: 'event', event: 'text.received' }, steps }))).statusCode).toBe(201);
    // A backtracking engine needs about 2^n steps here; n = 5000 would never finish.
    const started = Date.now();
    const reply = await admin.post('/events?wait=true', { event_type: 'text.received', payload: { text: `${'a'.repeat(5_000)}!` } });
    const elapsed = Date.now() - started;
    expect(reply.statusCode, reply.body).toBe(202);
    expect(elapsed).toBeLessThan(3_000);
    const [execution] = bodyOf(reply)['executions'] as { status: string; decision: string | null }[];
    expect(execution?.status).not.toBe('running');
    expect(['completed', 'failed']).toContain(execution?.status);
  });
});

describe('outbound requests a workflow author chooses', () => {
  it('never reach the cloud metadata service: the step fails, refused by the outbound policy', async () => {
    const steps = [{ id: 'steal', type: 'execute', execute: [{ type: 'http_request', method: 'GET', url: 'http://169.254.169.254/latest/meta-data/iam/' }] }];
    const created = await admin.post('/workflows', legacyWorkflow('ssrf', { trigger: { type: 'event', event: 'ssrf.try' }, steps }));
    expect(created.statusCode, created.body).toBe(201);
    const reply = await admin.post('/events?wait=true', { event_type: 'ssrf.try', payload: {} });
    const [execution] = bodyOf(reply)['executions'] as { execution_id: string; status: string }[];
    expect(execution?.status).toBe('failed');
    const read = await admin.get(`/executions/${execution?.execution_id ?? ''}`, { 'x-min-position': String(bodyOf(reply)['position']) });
    expect(JSON.stringify(bodyOf(read)['error'])).toMatch(/outbound policy.*link-local, metadata or reserved address/);
  });
});

describe('hostile bodies', () => {
  it('refuses JSON nested deeper than the limit with a 400 naming the body, appending nothing', async () => {
    const before = await system.eventCount();
    // Written as text: JSON.stringify itself would overflow on the deepest one.
    for (const depth of [70, 100_000]) {
      const payload = `{"event_type":"deep.thing","payload":${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      const reply = await admin.send('POST', '/events', { payload, headers: { 'content-type': 'application/json' } });
      expect(reply.statusCode, reply.body.slice(0, 300)).toBe(400);
      expect(pointersOf(reply)).toEqual(['']);
    }
    expect((await admin.post('/workflows', legacyWorkflow('deep', { description: nested(200) }))).statusCode).toBe(400);
    expect(await system.eventCount()).toBe(before);
  });

  it('refuses NUL characters (PostgreSQL cannot store them) in bodies, keys, paths and queries', async () => {
    const before = await system.eventCount();
    for (const reply of [
      await admin.post('/events', { event_type: 'nul.value', payload: { text: 'a\u0000b' } }),
      await admin.post('/events', { event_type: 'nul.key', payload: { 'a\u0000': 1 } }),
      await admin.get('/events/%00'),
      await admin.get('/workflows?q=%00'),
    ]) {
      expect(reply.statusCode, reply.body).toBe(400);
    }
    expect(await system.eventCount()).toBe(before);
  });

  it('refuses lone UTF-16 surrogates (jsonb cannot store them) in values and keys, and keeps paired ones', async () => {
    const before = await system.eventCount();
    for (const reply of [
      await admin.post('/events', { event_type: 'surrogate.source', payload: {}, source: '\ud800' }),
      await admin.post('/events', { event_type: 'surrogate.value', payload: { text: 'a\udc00b' } }),
      await admin.post('/events', { event_type: 'surrogate.key', payload: { 'a\udbff': 1 } }),
    ]) {
      expect(reply.statusCode, reply.body).toBe(400);
      expect(bodyOf(reply)).toMatchObject({ errors: [{ message: expect.stringMatching(/lone UTF-16 surrogate/) as unknown }] });
    }
    expect(await system.eventCount()).toBe(before);
    const emoji = await admin.post('/events', { event_type: 'surrogate.paired', payload: { text: 'ok \ud83d\ude00' } });
    expect(emoji.statusCode, emoji.body).toBeLessThan(300);
  });

  it('refuses numbers past the range of a double (they would be stored as null), in events and rule conditions alike', async () => {
    const before = await system.eventCount();
    const raw = (path: string, payload: string) => admin.send('POST', path, { payload, headers: { 'content-type': 'application/json' } });
    for (const reply of [
      await raw('/events', '{"event_type":"huge.number","payload":{"n":1e400}}'),
      await raw('/events', '{"event_type":"huge.number","payload":{"lines":[{"qty":-1e999}]}}'),
      await raw('/rules', '{"rule_id":"huge_limit","name":"huge","condition":{"field":"order.total","operator":"gt","value":1e400}}'),
    ]) {
      expect(reply.statusCode, reply.body).toBe(400);
      expect(bodyOf(reply)).toMatchObject({ errors: [{ message: expect.stringMatching(/too large/) as unknown }] });
    }
    expect(await system.eventCount()).toBe(before);
    const largest = await raw('/events', '{"event_type":"huge.number","payload":{"n":1.7976931348623157e308}}');
    expect(largest.statusCode, largest.body).toBeLessThan(300);
  });

  it('refuses prototype-poisoning keys, bodies over the size limit, and unknown fields', async () => {
    const before = await system.eventCount();
    const poisoned = await admin.send('POST', '/events', { payload: '{"event_type":"a.b","payload":{"__proto__":{"admin":true}}}', headers: { 'content-type': 'application/json' } });
    expect(poisoned.statusCode).toBe(400);
    const big = await admin.post('/events', { event_type: 'big.thing', payload: { blob: 'x'.repeat(1_100_000) } });
    expect(big.statusCode).toBe(413);
    const extra = await admin.post('/events', { event_type: 'a.b', payload: {}, tenant: 'someone-else' });
    expect(pointersOf(extra)).toEqual(['/tenant']);
    const query = await admin.get(`/workflows?limit=100000&q=${'x'.repeat(300)}`);
    expect(query.statusCode).toBe(400);
    expect(await system.eventCount()).toBe(before);
  });
});

describe('security headers and CORS', () => {
  it('answers every API response with headers that keep browsers from sniffing, framing or caching it', async () => {
    for (const reply of [await admin.get('/workflows'), await apiClient(system.app).get('/workflows')]) {
      expect(reply.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'cache-control': 'no-store',
      });
    }
    const docs = await system.app.inject({ method: 'GET', url: '/api/v1/docs/openapi.json' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toMatch(/default-src 'self'/);
  });

  it('answers preflights and requests of allowed origins only', async () => {
    const preflight = (origin: string) =>
      system.app.inject({ method: 'OPTIONS', url: '/api/v1/events', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const allowed = await preflight(ORIGIN);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': ORIGIN, vary: 'Origin' });
    expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('x-api-key');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    const foreign = await preflight('https://evil.example.test');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const read = await admin.get('/workflows', { origin: ORIGIN });
    expect(read.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(String(read.headers['access-control-expose-headers'])).toContain('x-log-position');
    expect((await admin.get('/workflows', { origin: 'https://evil.example.test' })).headers['access-control-allow-origin']).toBeUndefined();
  });
});
