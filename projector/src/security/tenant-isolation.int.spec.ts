import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { after, apiClient, bodyOf, type ApiClient } from '../runtime/testing/http.js';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';
import { iwf, toolingEnv } from '../verify/testing/cli.js';
import { SECRET_NAME, SHARED_WORKFLOW, writeTenantA, type TenantAData } from './testing/tenant-a.js';

let system: TestSystem;
let db: pg.Pool;
let a: ApiClient;
let b: ApiClient;
let data: TenantAData;
let tenantA: string;

beforeAll(async () => {
  system = await startTestSystem('tenant_isolation', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  db = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  tenantA = system.tenant('a');
  a = apiClient(system.app, await system.tokenFor('a', ['admin', 'sales_manager'], { actor: 'same-actor' }));
  b = apiClient(system.app, await system.tokenFor('b', ['admin', 'sales_manager'], { actor: 'same-actor' }));
  // B has a workflow of the same id and trigger before A ingests: A's event must not start it.
  expect((await b.post('/workflows', legacyWorkflow(SHARED_WORKFLOW, { name: 'B public flow' }))).statusCode).toBe(201);
  data = await writeTenantA(a, tenantA);
});

afterAll(async () => {
  await db?.end();
  await system?.close();
});

async function eventsOfTenant(tenant: string): Promise<number> {
  const result = await db.query<{ n: string }>("SELECT count(*) AS n FROM iwf_events.events WHERE metadata->>'tenant' = $1", [tenant]);
  return Number(result.rows[0]?.n);
}

// Filters that would find A's data if tenancy leaked, per list route.
const QUERIES: Readonly<Record<string, readonly string[]>> = {
  '/api/v1/workflows': ['', '?q=secret', '?trigger_event=order.created', '?archived=false&tag=x'],
  '/api/v1/executions': ['', `?workflow_id=${SHARED_WORKFLOW}`, '?status=waiting'],
  '/api/v1/approvals': ['', '?status=pending&approver_role=sales_manager', '?status=pending'],
  '/api/v1/events': ['', '?event_type=order.created'],
  '/api/v1/rules': [''],
  '/api/v1/analytics/summary': ['', '?time_range=30d', `?workflow_id=${SHARED_WORKFLOW}`],
  '/api/v1/analytics/trends': ['', '?interval=hour'],
  '/api/v1/audit/events': ['', '?actor=same-actor', '?type=ExecutionStarted'],
};

describe('tenant B against tenant A, on every query route of the route table', () => {
  it('sees none of A’s data, guessing A’s ids, through caches, waiting for A’s position', async () => {
    const ids: Record<string, string> = {
      workflow_id: data.workflowId,
      execution_id: data.executionId,
      approval_id: data.approvalId,
      event_id: data.eventId,
      rule_id: data.ruleId,
      stream_id: encodeURIComponent(`workflow:${tenantA}:${SHARED_WORKFLOW}`),
      definition_revision: '1',
    };
    const routes = system.app.securityRoutes.filter((route) => route.method === 'GET' && !route.public && route.url.startsWith('/api/v1/'));
    expect(routes.length).toBeGreaterThanOrEqual(16);
    const leaks: string[] = [];
    let probes = 0;
    for (const route of routes) {
      const path = route.url.replace(/:([a-z_]+)/g, (_match, name: string) => ids[name] ?? 'unknown').replace('/api/v1', '');
      for (const query of route.url.includes(':') ? [''] : (QUERIES[route.url] ?? [''])) {
        const reply = await b.get(`${path}${query}`, after(data.last));
        probes += 1;
        // A 404 may echo the id B itself asked for; anything else of A's is a leak.
        const asked = decodeURIComponent(path);
        const leaked = data.markers.filter((marker) => reply.body.includes(marker) && !asked.includes(marker));
        if (![200, 404].includes(reply.statusCode) || leaked.length > 0) leaks.push(`${path}${query}: ${reply.statusCode} ${leaked.join(', ')}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(probes).toBeGreaterThanOrEqual(29);
  });

  it('gets 404 for each of A’s resources by id, and its own same-named workflow, never A’s', async () => {
    for (const path of [`/executions/${data.executionId}`, `/approvals/${data.approvalId}`, `/events/${data.eventId}`, `/rules/${data.ruleId}`, '/workflows/a_only']) {
      expect((await b.get(path)).statusCode, path).toBe(404);
    }
    const own = await b.get(`/workflows/${SHARED_WORKFLOW}`);
    expect(bodyOf(own)).toMatchObject({ name: 'B public flow', revision: 0 });
    expect(bodyOf(await b.get('/workflows')).items?.map((workflow) => workflow['name'])).toEqual(['B public flow']);
    expect(bodyOf(await a.get(`/workflows/${SHARED_WORKFLOW}`))).toMatchObject({ name: SECRET_NAME, revision: 1 });
    expect((await b.get(`/audit/streams/${encodeURIComponent(`execution:${tenantA}:${data.executionId}`)}`)).statusCode).toBe(404);
  });

  it('cannot change A’s resources: every command on A’s ids is a 404 and appends nothing to A', async () => {
    const before = await eventsOfTenant(tenantA);
    const attempts = [
      await b.post(`/approvals/${data.approvalId}/approve`, { comment: 'not yours' }),
      await b.post(`/approvals/${data.approvalId}/reject`, {}),
      await b.post(`/executions/${data.executionId}/cancel`, {}),
      await b.post(`/executions/${data.executionId}/retry`, {}),
      await b.post('/workflows/a_only/enable'),
      await b.post('/workflows/a_only/disable'),
      await b.delete('/workflows/a_only'),
      await b.put('/workflows/a_only', legacyWorkflow('a_only')),
      await b.post('/workflows/a_only/executions', { payload: {} }),
      await b.put('/rules/a_rule', { name: 'x', condition: { field: 'a', operator: 'eq', value: 1 } }),
      await b.delete('/rules/a_rule'),
    ];
    expect(attempts.map((reply) => reply.statusCode)).toEqual(attempts.map(() => 404));
    expect(await eventsOfTenant(tenantA)).toBe(before);
    expect(bodyOf(await a.get(`/approvals/${data.approvalId}`))).toMatchObject({ status: 'pending' });
  });

  it('triggers only its own workflows: neither tenant’s events start the other’s executions', async () => {
    const executionsOfA = async (): Promise<unknown[]> => (bodyOf(await a.get('/executions', after(data.last))).items ?? []).map((execution) => execution['execution_id']);
    const aBefore = await executionsOfA();
    const bExecutions = await b.get('/executions', after(data.last));
    expect(bodyOf(bExecutions).items).toEqual([]);
    const ingested = await b.post('/events?wait=true', { event_type: 'order.created', payload: { order: { total: 5000 } } });
    expect(bodyOf(ingested)['executions']).toEqual([expect.objectContaining({ workflow_id: SHARED_WORKFLOW })]);
    await b.get('/executions', after(ingested));
    expect(await executionsOfA()).toEqual(aBefore);
    expect(aBefore).toContain(data.executionId);
  });
});

describe('the CLI export', () => {
  it('needs a tenant, exports only that tenant’s events, and refuses another tenant’s stream', async () => {
    const env = toolingEnv(system.config.databaseUrl);
    const tenantB = system.tenant('b');
    expect((await iwf(['export', '--format', 'ndjson'], env)).code).toBe(2);
    for (const format of ['ndjson', 'csv']) {
      const result = await iwf(['export', '--format', format, '--tenant', tenantB], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(tenantB);
      expect(data.markers.filter((marker) => result.stdout.includes(marker))).toEqual([]);
    }
    const lines = (await iwf(['export', '--format', 'ndjson', '--tenant', tenantB], env)).stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((line) => (JSON.parse(line) as { metadata: { tenant: string } }).metadata.tenant === tenantB)).toBe(true);
    const stolen = await iwf(['export', '--format', 'ndjson', '--tenant', tenantB, '--stream', `workflow:${tenantA}:${SHARED_WORKFLOW}`], env);
    expect(stolen).toMatchObject({ code: 2, stdout: '' });
  });
});
