import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { after, apiClient, bodyOf, type ApiClient } from '../runtime/testing/http.js';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';
import { eventually } from '../runner/testing/fixture.js';

let system: TestSystem;
let admin: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('denials', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  admin = apiClient(system.app, await system.tokenFor('acme', ['admin', 'sales_manager']));
});

afterAll(async () => {
  await system?.close();
});

type Audited = { type: string; stream_id: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

/** The actor's denials through the audit API, which reads the log below its visibility horizon: poll briefly. */
async function denialsOf(actor: string): Promise<Audited[]> {
  const read = async (): Promise<Audited[]> => {
    const reply = await admin.get(`/audit/events?type=AccessDenied&actor=${encodeURIComponent(actor)}`);
    expect(reply.statusCode, reply.body).toBe(200);
    return (bodyOf(reply).items ?? []) as unknown as Audited[];
  };
  return eventually(read, (found) => found.length > 0);
}

describe('denials are 403 problems and audited events', () => {
  it('records who tried what, on which route, when, and why — readable through the audit API', async () => {
    const viewer = apiClient(system.app, await system.tokenFor('acme', ['workflow_viewer'], { actor: 'vera' }));
    const before = Date.now();
    const refused = await viewer.post('/workflows', legacyWorkflow('not-allowed'));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bodyOf(refused)).toMatchObject({ type: expect.stringMatching(/forbidden$/), title: 'Forbidden', status: 403, detail: expect.stringMatching(/workflows:write/) });
    const [denial, ...others] = await denialsOf('vera');
    expect(others).toEqual([]);
    expect(denial).toMatchObject({
      type: 'AccessDenied',
      stream_id: expect.stringMatching(new RegExp(`^access:${system.tenant('acme')}:denied-\\d{4}-\\d{2}-\\d{2}$`)),
      data: { actor: 'vera', roles: ['workflow_viewer'], action: 'workflows:write', method: 'POST', route: '/api/v1/workflows', reason: expect.stringMatching(/workflows:write/) },
      metadata: { actor: 'vera', tenant: system.tenant('acme'), correlation_id: refused.headers['x-request-id'] },
    });
    expect(Date.parse(String(denial?.data['at']))).toBeGreaterThanOrEqual(before - 1000);
    // The refused command itself appended nothing: no workflow stream exists.
    expect((await admin.get(`/audit/streams/${encodeURIComponent(`workflow:${system.tenant('acme')}:not-allowed`)}`)).statusCode).toBe(404);
  });

  it('audits refusals decided past the route check too: an approver without the approval’s role', async () => {
    const steps = [
      { id: 'ask', type: 'approval', approval: { approver_role: 'sales_manager', expires_in: '1d' }, on_approved: 'allow' },
      { id: 'allow', type: 'action', action: { type: 'allow' } },
    ];
    expect((await admin.post('/workflows', legacyWorkflow('needs_sales', { steps }))).statusCode).toBe(201);
    const ingest = await admin.post('/events?wait=true', { event_type: 'order.created', payload: {} });
    const inbox = bodyOf(await admin.get('/approvals?status=pending&approver_role=sales_manager', after(ingest)));
    const approvalId = String(inbox.items?.[0]?.['approval_id']);
    const finance = apiClient(system.app, await system.tokenFor('acme', ['approver', 'finance'], { actor: 'fin' }));
    const refused = await finance.post(`/approvals/${approvalId}/approve`, {});
    expect(refused.statusCode).toBe(403);
    expect(await denialsOf('fin')).toMatchObject([{ data: { action: 'approvals:decide', route: '/api/v1/approvals/:approval_id/approve', reason: expect.stringMatching(/sales_manager/) } }]);
    expect(bodyOf(await admin.get(`/approvals/${approvalId}`))).toMatchObject({ status: 'pending' });
    const sales = apiClient(system.app, await system.tokenFor('acme', ['approver', 'sales_manager'], { actor: 'sam' }));
    expect((await sales.post(`/approvals/${approvalId}/approve`, {})).statusCode).toBe(200);
  });

  it('records nothing for a request without valid credentials (a 401 has no actor to attribute)', async () => {
    const before = await system.eventCount();
    expect((await apiClient(system.app, 'forged.token.value').post('/workflows', legacyWorkflow('x'))).statusCode).toBe(401);
    expect(await system.eventCount()).toBe(before);
  });
});
