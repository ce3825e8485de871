import { expect } from 'vitest';
import { after, bodyOf, type ApiClient, type Reply } from '../../runtime/testing/http.js';
import { legacyWorkflow } from '../../runtime/testing/workflows.js';

/** What tenant A wrote: the ids another tenant will guess, and strings only A's data holds. */
export interface TenantAData {
  readonly workflowId: string;
  readonly executionId: string;
  readonly approvalId: string;
  readonly eventId: string;
  readonly ruleId: string;
  /** Strings that must never appear in an answer to another tenant. */
  readonly markers: readonly string[];
  /** The last write: readers wait for it with X-Min-Position. */
  readonly last: Reply;
}

const ok = (reply: Reply, status: number): Record<string, unknown> & { items?: Record<string, unknown>[] } => {
  expect(reply.statusCode, reply.body).toBe(status);
  return bodyOf(reply);
};

export const SHARED_WORKFLOW = 'shared_name';
export const SECRET_NAME = 'A secret flow 7f3e';
export const SECRET_PAYLOAD = 'a-payload-91c2';

/**
 * Fills every read model of tenant A through the API: a published and republished workflow
 * with an approval step, a rule, an ingested event whose execution waits for approval; then
 * reads each back so the caches hold them too.
 */
export async function writeTenantA(a: ApiClient, tenant: string): Promise<TenantAData> {
  const steps = [
    { id: 'check', type: 'condition', condition: { field: 'order.total', operator: 'gt', value: 1000 }, on_true: 'ask', on_false: 'allow' },
    { id: 'ask', type: 'approval', approval: { approver_role: 'sales_manager', expires_in: '1d' }, on_approved: 'allow' },
    { id: 'allow', type: 'action', action: { type: 'allow' } },
  ];
  ok(await a.post('/workflows', legacyWorkflow(SHARED_WORKFLOW, { name: SECRET_NAME, steps })), 201);
  ok(await a.put(`/workflows/${SHARED_WORKFLOW}`, legacyWorkflow(SHARED_WORKFLOW, { name: SECRET_NAME, description: 'second', steps })), 200);
  ok(await a.post('/workflows', legacyWorkflow('a_only', { name: SECRET_NAME })), 201);
  ok(await a.post('/rules', { rule_id: 'a_rule', name: SECRET_NAME, condition: { field: 'order.total', operator: 'gt', value: 1 } }), 201);
  const ingest = await a.post('/events?wait=true', { event_type: 'order.created', event_id: 'a-event-1', payload: { order: { total: 5000, note: SECRET_PAYLOAD } } });
  const executions = ok(ingest, 202)['executions'] as { execution_id: string; status: string }[];
  const executionId = executions.find((execution) => execution.status === 'waiting')?.execution_id ?? '';
  const inbox = ok(await a.get('/approvals?status=pending&approver_role=sales_manager', after(ingest)), 200);
  const approvalId = String(inbox.items?.[0]?.['approval_id']);
  // Read everything once more: from here on the caches hold tenant A's answers.
  for (const path of [`/workflows/${SHARED_WORKFLOW}`, `/executions/${executionId}`, `/approvals/${approvalId}`, '/events/a-event-1', '/rules/a_rule']) {
    ok(await a.get(path, after(ingest)), 200);
  }
  ok(await a.get('/approvals?status=pending&approver_role=sales_manager'), 200);
  return {
    workflowId: SHARED_WORKFLOW,
    executionId,
    approvalId,
    eventId: 'a-event-1',
    ruleId: 'a_rule',
    markers: [tenant, SECRET_NAME, SECRET_PAYLOAD, ...executions.map((execution) => execution.execution_id), approvalId, 'a-event-1'],
    last: ingest,
  };
}
