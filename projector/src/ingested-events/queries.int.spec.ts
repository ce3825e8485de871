import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventIngested } from '@iwf/contracts';
import { t } from '../executions/testing/execution-events.js';
import type { SystemLog } from '../executions/testing/system-store.js';
import { openSystemLog } from '../executions/testing/system-store.js';
import type { ApiClient, Reply } from '../runtime/testing/http.js';
import { apiClient, itemField, pointersOf } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';

let system: TestSystem;
let log: SystemLog;
let a: string;
let viewer: ApiClient;
let written: string;

function ingested(event_id: string, event_type: string, at: string, executions: EventIngested['data']['executions'] = []): EventIngested {
  return { type: 'EventIngested', data: { event_id, event_type, source: 'shop', payload: { ref: event_id }, received_at: at, executions } };
}

beforeAll(async () => {
  system = await startTestSystem('event_queries', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  log = openSystemLog(system);
  a = system.tenant('a');
  viewer = apiClient(system.app, await system.tokenFor('a', ['workflow_viewer']));
  await log.append('ingest', a, 'ev-1', [ingested('ev-1', 'order.created', t(10), [{ execution_id: 'x1', workflow_id: 'orders', workflow_revision: 3 }])], 'a-sender');
  await log.append('ingest', a, 'ev-2', [ingested('ev-2', 'order.paid', t(20))], 'a-other-sender');
  written = await log.append('ingest', a, 'ev-3', [ingested('ev-3', 'order.created', t(30))], 'a-sender');
});

afterAll(async () => {
  await log?.close();
  await system?.close();
});

const afterWrites = (): Record<string, string> => ({ 'x-min-position': written });
const ids = (reply: Reply): unknown[] => itemField(reply, 'event_id');

describe('GET /events', () => {
  it('answers one event with the executions it started, and its ETag', async () => {
    const reply = await viewer.get('/events/ev-1', afterWrites());
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toEqual({
      event_id: 'ev-1',
      event_type: 'order.created',
      source: 'shop',
      payload: { ref: 'ev-1' },
      received_at: t(10),
      executions: [{ execution_id: 'x1', workflow_id: 'orders', workflow_revision: 3 }],
      revision: 0,
    });
    expect(reply.headers['etag']).toBe('"0"');
  });

  it('filters by type and time window, newest first', async () => {
    expect(ids(await viewer.get('/events', afterWrites()))).toEqual(['ev-3', 'ev-2', 'ev-1']);
    expect(ids(await viewer.get('/events?event_type=order.created&order=asc', afterWrites()))).toEqual(['ev-1', 'ev-3']);
    expect(ids(await viewer.get(`/events?from=${t(20)}&to=${t(30)}`, afterWrites()))).toEqual(['ev-2']);
    expect(pointersOf(await viewer.get('/events?type=order.created'))).toEqual(['/querystring/type']);
    expect((await viewer.get('/events?from=soon')).statusCode).toBe(400);
  });

  it('shows an agent only what it ingested itself, and another tenant nothing', async () => {
    const agent = apiClient(system.app, await system.tokenFor('a', ['agent'], { actor: 'a-sender' }));
    expect(ids(await agent.get('/events', afterWrites()))).toEqual(['ev-3', 'ev-1']);
    expect((await agent.get('/events/ev-2')).statusCode).toBe(404);
    const stranger = apiClient(system.app, await system.tokenFor('b', ['admin']));
    expect((await stranger.get('/events/ev-1')).statusCode).toBe(404);
    expect(ids(await stranger.get('/events'))).toEqual([]);
    const approver = apiClient(system.app, await system.tokenFor('a', ['approver']));
    expect((await approver.get('/events')).statusCode).toBe(403);
  });
});
