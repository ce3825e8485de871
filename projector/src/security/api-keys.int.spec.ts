import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, bodyOf, type ApiClient } from '../runtime/testing/http.js';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';

let system: TestSystem;
let db: pg.Pool;
let admin: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('api_keys', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  db = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  admin = apiClient(system.app, await system.tokenFor('keys'));
});

afterAll(async () => {
  await db?.end();
  await system?.close();
});

interface Issued {
  readonly key: string;
  readonly key_id: string;
  readonly roles: string[];
  readonly expires_at: string;
}

async function issue(client: ApiClient, body: Record<string, unknown>): Promise<Issued> {
  const reply = await client.post('/api-keys', body);
  expect(reply.statusCode, reply.body).toBe(201);
  return reply.json() as Issued;
}

const withKey = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, ...extra });
const get = (path: string, key: string) => system.app.inject({ method: 'GET', url: `/api/v1${path}`, headers: withKey(key) });
const post = (path: string, key: string, body: unknown, extra: Record<string, string> = {}) =>
  system.app.inject({ method: 'POST', url: `/api/v1${path}`, headers: withKey(key, { 'content-type': 'application/json', ...extra }), payload: JSON.stringify(body) });

/** Rows of every table of every iwf schema whose text mentions the needle. */
async function rowsMentioning(needle: string): Promise<string[]> {
  const tables = await db.query<{ name: string }>(
    "SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables WHERE table_schema LIKE 'iwf%' AND table_type = 'BASE TABLE'",
  );
  const found: string[] = [];
  for (const { name } of tables.rows) {
    const hits = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name} t WHERE strpos(t::text, $1) > 0`, [needle]);
    if (Number(hits.rows[0]?.n) > 0) found.push(name);
  }
  return found;
}

describe('API keys', () => {
  it('are shown once and stored nowhere, only as a hash', async () => {
    const issued = await issue(admin, { name: 'storefront', roles: ['agent'] });
    expect(issued.key).toMatch(/^iwf\./);
    expect(Date.parse(issued.expires_at) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect((await post('/events', issued.key, { event_type: 'order.created', payload: { n: 1 } })).statusCode).toBe(202);
    const secret = issued.key.split('.').at(-1) ?? '';
    expect(await rowsMentioning(secret)).toEqual([]);
    expect(JSON.stringify(system.logs())).not.toContain(secret);
    const audit = await admin.get(`/audit/streams/${encodeURIComponent(`api_key:${system.tenant('keys')}:${issued.key_id}`)}`);
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.body).not.toContain(secret);
    expect(audit.body).toContain('"key_hash"');
  });

  it('authenticate with their scopes (roles) and no more', async () => {
    const { key, key_id } = await issue(admin, { name: 'agent', roles: ['agent'] });
    const ingested = await post('/events', key, { event_type: 'order.created', payload: { n: 2 } });
    expect(ingested.statusCode, ingested.body).toBe(202);
    const own = await get(`/events?min_position=${encodeURIComponent(String(bodyOf(ingested)['position']))}`, key);
    expect(own.statusCode, own.body).toBe(200);
    expect(bodyOf(own).items?.map((item) => item['event_id'])).toEqual([bodyOf(ingested)['event_id']]);
    expect((await get('/workflows', key)).statusCode).toBe(403);
    const denied = await db.query("SELECT metadata->>'actor' AS actor FROM iwf_events.events WHERE type = 'AccessDenied' ORDER BY position DESC LIMIT 1");
    expect(denied.rows[0]).toEqual({ actor: `api-key:${key_id}` });
  });

  it('stop working the moment they are revoked, on reads and writes, appending nothing', async () => {
    const { key, key_id } = await issue(admin, { name: 'to revoke', roles: ['workflow_manager'] });
    expect((await get('/workflows', key)).statusCode).toBe(200);
    const revoked = await admin.delete(`/api-keys/${key_id}`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(bodyOf(revoked)).toMatchObject({ key_id, status: 'revoked' });
    const before = await system.eventCount();
    for (const reply of [await get('/workflows', key), await post('/workflows', key, legacyWorkflow('after-revoke'))]) {
      expect(reply.statusCode, reply.body).toBe(401);
      expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/invalid-api-key$/), status: 401 });
    }
    expect(await system.eventCount()).toBe(before);
    expect((await admin.delete(`/api-keys/${key_id}`)).statusCode).toBe(200);
    expect(await system.eventCount()).toBe(before);
  });

  it('stop working when they expire', async () => {
    const { key } = await issue(admin, { name: 'short', roles: ['workflow_viewer'], expires_at: new Date(Date.now() + 1_000).toISOString() });
    expect((await get('/workflows', key)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const reply = await get('/workflows', key);
    expect(reply.statusCode).toBe(401);
    expect(bodyOf(reply)['detail']).toMatch(/expired/);
  });

  it('refuse a tampered key, a made-up key, and a request carrying two credentials', async () => {
    const { key } = await issue(admin, { name: 'tamper', roles: ['admin'] });
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [`${key.slice(0, -1)}${last}`, 'iwf.nope', 'x'.repeat(2000)]) expect((await get('/workflows', bad)).statusCode).toBe(401);
    const token = await system.tokenFor('keys');
    const both = await system.app.inject({ method: 'GET', url: '/api/v1/workflows', headers: withKey(key, { authorization: `Bearer ${token}` }) });
    expect(both.statusCode).toBe(401);
  });

  it('belong to one tenant: another tenant can neither use nor revoke them', async () => {
    const other = apiClient(system.app, await system.tokenFor('keys-other'));
    expect((await other.post('/workflows', legacyWorkflow('other-only'))).statusCode).toBe(201);
    const { key, key_id } = await issue(admin, { name: 'viewer', roles: ['workflow_viewer'] });
    const listed = await get('/workflows', key);
    expect(bodyOf(listed).items?.map((item) => item['workflow_id'])).not.toContain('other-only');
    expect((await other.delete(`/api-keys/${key_id}`)).statusCode).toBe(404);
    expect((await get('/workflows', key)).statusCode).toBe(200);
  });

  it('refuse Idempotency-Key when issuing (the answer would be a stored copy of the key), and bad scopes or expiries', async () => {
    const before = await system.eventCount();
    const replayable = await admin.post('/api-keys', { name: 'k', roles: ['agent'] }, { 'idempotency-key': 'issue-1' });
    expect(replayable.statusCode).toBe(400);
    expect((await admin.post('/api-keys', { name: 'k', roles: [] })).statusCode).toBe(400);
    expect((await admin.post('/api-keys', { name: 'k', roles: ['Admin!'] })).statusCode).toBe(400);
    expect((await admin.post('/api-keys', { name: 'k', roles: ['agent'], expires_at: '2001-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await admin.post('/api-keys', { name: 'k', roles: ['agent'], expires_at: '2999-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await admin.post('/api-keys', { name: 'k', roles: ['agent'], key_hash: 'mine' })).statusCode).toBe(400);
    expect(await system.eventCount()).toBe(before);
  });
});
