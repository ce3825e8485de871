import { allowStep, legacyWorkflow } from '../../runtime/testing/workflows.js';

interface Ingested {
  readonly executions: readonly { execution_id: string; status: string }[];
  readonly position: string | null;
}

/**
 * Runs workflows through the engine: one execution that completes, one that waits on an
 * approval which is then approved, and one whose approval is withdrawn when it is cancelled
 * (so started, ended, step, approval and withdrawal series all move).
 */
export async function sendExecutionTraffic(commandUrl: string, queryUrl: string, token: string, suffix: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown, expected: number): Promise<unknown> => {
    const response = await fetch(`${commandUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (response.status !== expected) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  const ran = `obs.${suffix}.ran`;
  const gated = `obs.${suffix}.gated`;
  await post('/api/v1/workflows', legacyWorkflow(`run_${suffix}`, { trigger: { type: 'event', event: ran } }), 201);
  await post(
    '/api/v1/workflows',
    legacyWorkflow(`gate_${suffix}`, {
      trigger: { type: 'event', event: gated },
      steps: [{ id: 'ask', type: 'approval', approval: { approver_role: 'boss', expires_in: '1h' }, on_approved: 'allow' }, allowStep('allow')],
    }),
    201,
  );
  const completed = (await post('/api/v1/events?wait=true', { event_type: ran, payload: { n: 1 } }, 202)) as Ingested;
  if (completed.executions[0]?.status !== 'completed') throw new Error(`execution did not complete: ${JSON.stringify(completed)}`);
  const waiting = (await post('/api/v1/events?wait=true', { event_type: gated, payload: { n: 2 } }, 202)) as Ingested;
  const execution = waiting.executions[0]?.execution_id;
  const list = await fetch(`${queryUrl}/api/v1/approvals?execution_id=${execution}`, { headers: { ...headers, 'x-min-position': waiting.position ?? '' } });
  const approval = ((await list.json()) as { items?: { approval_id: string }[] }).items?.[0]?.approval_id;
  if (!approval) throw new Error(`no approval for execution ${execution} (${list.status})`);
  await post(`/api/v1/approvals/${approval}/approve`, { comment: 'fine' }, 200);
  const abandoned = (await post('/api/v1/events?wait=true', { event_type: gated, payload: { n: 3 } }, 202)) as Ingested;
  await post(`/api/v1/executions/${abandoned.executions[0]?.execution_id}/cancel`, { reason: 'not needed' }, 200);
}
