import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleEvent } from '@iwf/contracts';
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

const condition = { field: 'order.amount', operator: 'gt', value: 1000 } as const;
const created = (rule_id: string, at: string): RuleEvent => ({ type: 'RuleCreated', data: { rule_id, name: `Rule ${rule_id}`, description: null, condition, at } });

beforeAll(async () => {
  system = await startTestSystem('rule_queries', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  log = openSystemLog(system);
  a = system.tenant('a');
  viewer = apiClient(system.app, await system.tokenFor('a', ['workflow_viewer']));
  await log.append('rule', a, 'big_order', [created('big_order', t(10))]);
  await log.append('rule', a, 'old', [created('old', t(5)), { type: 'RuleDeleted', data: { rule_id: 'old', at: t(6) } }]);
  written = await log.append('rule', a, 'vip', [created('vip', t(20))]);
});

afterAll(async () => {
  await log?.close();
  await system?.close();
});

const afterWrites = (): Record<string, string> => ({ 'x-min-position': written });
const ids = (reply: Reply): unknown[] => itemField(reply, 'rule_id');

describe('GET /rules', () => {
  it('answers a rule with its ETag, and lists live rules newest first', async () => {
    const reply = await viewer.get('/rules/big_order', afterWrites());
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toEqual({ rule_id: 'big_order', name: 'Rule big_order', description: null, condition, revision: 0, created_at: t(10), updated_at: t(10) });
    expect(reply.headers['etag']).toBe('"0"');
    expect(ids(await viewer.get('/rules', afterWrites()))).toEqual(['vip', 'big_order']);
    expect(ids(await viewer.get('/rules?limit=1&order=asc', afterWrites()))).toEqual(['big_order']);
  });

  it('answers 404 for a deleted rule and for another tenant’s; 400 for unknown parameters; 403 for an agent', async () => {
    expect((await viewer.get('/rules/old', afterWrites())).statusCode).toBe(404);
    const stranger = apiClient(system.app, await system.tokenFor('b', ['admin']));
    expect((await stranger.get('/rules/vip')).statusCode).toBe(404);
    expect(ids(await stranger.get('/rules'))).toEqual([]);
    expect(pointersOf(await viewer.get('/rules?name=vip'))).toEqual(['/querystring/name']);
    const agent = apiClient(system.app, await system.tokenFor('a', ['agent']));
    expect((await agent.get('/rules')).statusCode).toBe(403);
  });
});
