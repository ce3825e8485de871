import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@iwf/platform/auth/jwt';
import { after, apiClient, bodyOf, type ApiClient, type Reply } from './testing/http.js';
import { startTestSystem, type TestSystem } from './testing/system.js';
import { legacyWorkflow } from './testing/workflows.js';

let system: TestSystem;
let alice: ApiClient;
let bob: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('auth_tenancy');
  alice = apiClient(system.app, await system.tokenFor('tenant-a'));
  bob = apiClient(system.app, await system.tokenFor('tenant-b'));
});

afterAll(async () => {
  await system?.close();
});

function expectProblem(reply: Reply, status: number, type: RegExp): void {
  expect(reply.statusCode, reply.body).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(type), title: expect.any(String), status });
}

describe('authentication', () => {
  it('answers 401 problem to a request without a token, reading or writing, and appends nothing', async () => {
    const anonymous = apiClient(system.app);
    const before = await system.eventCount();
    expectProblem(await anonymous.get('/workflows'), 401, /unauthenticated$/);
    expectProblem(await anonymous.get('/workflows/anything'), 401, /unauthenticated$/);
    expectProblem(await anonymous.post('/workflows', legacyWorkflow('anonymous')), 401, /unauthenticated$/);
    expectProblem(await anonymous.delete('/workflows/anything'), 401, /unauthenticated$/);
    expect(await system.eventCount()).toBe(before);
  });

  it('answers 401 to an Authorization header that is not a bearer token', async () => {
    const basic = await system.app.inject({ method: 'GET', url: '/api/v1/workflows', headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    expectProblem(basic, 401, /unauthenticated$/);
  });

  it('answers 401 to a token signed with another key', async () => {
    const forged = await mintToken('another-secret-that-is-long-enough-0123456789', { tenant: system.tenant('tenant-a'), actor: 'mallory', roles: ['admin'] });
    expectProblem(await apiClient(system.app, forged).get('/workflows'), 401, /invalid-token$/);
  });

  it('answers 401 to a token whose claims were changed after signing', async () => {
    const [header, , signature] = (await system.tokenFor('tenant-a')).split('.');
    const claims = { sub: 'mallory', org: system.tenant('tenant-b'), roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 3600 };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expectProblem(await apiClient(system.app, tampered).get('/workflows'), 401, /invalid-token$/);
  });

  it('answers 401 to an unsigned token (alg none)', async () => {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'mallory', org: system.tenant('tenant-a'), exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expectProblem(await apiClient(system.app, unsigned).get('/workflows'), 401, /(invalid-token|unauthenticated)$/);
  });

  it('answers 401 to an expired token, saying so', async () => {
    const expired = await system.tokenFor('tenant-a', ['admin'], { expiresIn: '-2h' });
    const reply = await apiClient(system.app, expired).get('/workflows');
    expectProblem(reply, 401, /invalid-token$/);
    expect(bodyOf(reply)['detail']).toMatch(/expired/);
  });

  it('serves /health and /ready without a token', async () => {
    const health = await system.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', version: expect.any(String) });
    const ready = await system.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('serves the OpenAPI document without a token, listing every workflow route of both services', async () => {
    const reply = await system.app.inject({ method: 'GET', url: '/api/v1/docs/openapi.json' });
    expect(reply.statusCode, reply.body).toBe(200);
    const document = reply.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((operation) => operation.includes('/api/v1/workflows')).sort()).toEqual(
      [
        'POST /api/v1/workflows',
        'GET /api/v1/workflows',
        'GET /api/v1/workflows/{workflow_id}',
        'PUT /api/v1/workflows/{workflow_id}',
        'DELETE /api/v1/workflows/{workflow_id}',
        'POST /api/v1/workflows/{workflow_id}/enable',
        'POST /api/v1/workflows/{workflow_id}/disable',
        'GET /api/v1/workflows/{workflow_id}/versions',
        'GET /api/v1/workflows/{workflow_id}/versions/{definition_revision}',
        'POST /api/v1/workflows/{workflow_id}/executions',
      ].sort(),
    );
  });

  it.skip('refuses writes to a workflow_viewer (403) — roles are not enforced yet: any valid token may write', async () => {
    const viewer = apiClient(system.app, await system.tokenFor('tenant-a', ['workflow_viewer']));
    expectProblem(await viewer.post('/workflows', legacyWorkflow('viewer_made')), 403, /forbidden$/);
  });
});

describe('tenancy', () => {
  let created: Reply;

  beforeAll(async () => {
    created = await alice.post('/workflows', legacyWorkflow('tenant_owned', { name: "A's workflow", tags: ['private'] }));
    expect(created.statusCode, created.body).toBe(201);
  });

  it("hides one tenant's workflow from another's reads (404), even after it is projected", async () => {
    expect((await alice.get('/workflows/tenant_owned', after(created))).statusCode).toBe(200);
    for (const path of ['/workflows/tenant_owned', '/workflows/tenant_owned/versions', '/workflows/tenant_owned/versions/1']) {
      expectProblem(await bob.get(path, after(created)), 404, /not-found$/);
    }
  });

  it("refuses another tenant's update, enable, disable and archive (404) and appends nothing", async () => {
    const before = await system.eventCount();
    expectProblem(await bob.put('/workflows/tenant_owned', legacyWorkflow('tenant_owned', { name: 'Hijacked' })), 404, /not-found$/);
    expectProblem(await bob.post('/workflows/tenant_owned/enable'), 404, /not-found$/);
    expectProblem(await bob.post('/workflows/tenant_owned/disable'), 404, /not-found$/);
    expectProblem(await bob.delete('/workflows/tenant_owned'), 404, /not-found$/);
    expect(await system.eventCount()).toBe(before);
    const mine = await alice.get('/workflows/tenant_owned', after(created));
    expect(bodyOf(mine)).toMatchObject({ name: "A's workflow", enabled: true, archived: false, revision: 0 });
  });

  it('lets each tenant use the same workflow_id for its own workflow, and lists only its own', async () => {
    const theirs = await bob.post('/workflows', legacyWorkflow('tenant_owned', { name: "B's workflow" }));
    expect(theirs.statusCode, theirs.body).toBe(201);
    const bobOnly = await bob.post('/workflows', legacyWorkflow('only_b', { tags: ['private'] }));

    const bobList = await bob.get('/workflows', after(bobOnly));
    expect(bodyOf(bobList).items?.map((item) => [item['workflow_id'], item['name']])).toEqual([
      ['only_b', 'Workflow only_b'],
      ['tenant_owned', "B's workflow"],
    ]);
    const aliceList = await alice.get('/workflows?tag=private', after(bobOnly));
    expect(bodyOf(aliceList).items?.map((item) => [item['workflow_id'], item['name']])).toEqual([['tenant_owned', "A's workflow"]]);
    expect(bodyOf(await alice.get('/workflows/tenant_owned'))['name']).toBe("A's workflow");
    expect(bodyOf(await bob.get('/workflows/tenant_owned'))['name']).toBe("B's workflow");
  });
});
