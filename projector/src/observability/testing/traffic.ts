import { legacyWorkflow } from '../../runtime/testing/workflows.js';

export interface Traffic {
  readonly workflowId: string;
  readonly created: Response;
}

/**
 * Requests that touch every series the services export: a create (append, projection), reads
 * that miss then hit the cache, a 404 on a route and on no route, a 412 on a stale If-Match.
 */
export async function sendTraffic(commandUrl: string, queryUrl: string, token: string, workflowId: string): Promise<Traffic> {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const created = await fetch(`${commandUrl}/api/v1/workflows`, { method: 'POST', headers: json, body: JSON.stringify(legacyWorkflow(workflowId)) });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${await created.text()}`);
  const { position } = (await created.clone().json()) as { position: string };
  const read = (): Promise<Response> => fetch(`${queryUrl}/api/v1/workflows/${workflowId}`, { headers: { ...auth, 'x-min-position': position } });
  for (const response of [await read(), await read()]) if (response.status !== 200) throw new Error(`read answered ${response.status}: ${await response.text()}`);
  await fetch(`${queryUrl}/api/v1/workflows/missing_${workflowId}`, { headers: auth });
  await fetch(`${queryUrl}/no/such/route?page=1`, { headers: auth });
  await fetch(`${commandUrl}/api/v1/workflows/${workflowId}/disable`, { method: 'POST', headers: { ...auth, 'if-match': '"7"' } });
  return { workflowId, created };
}
