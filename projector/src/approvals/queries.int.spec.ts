import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '@iwf/platform/cache/cache';
import { getApproval, listApprovals } from '@iwf/query-service/approvals/read-model';
import { t } from '../executions/testing/execution-events.js';
import { observeCacheKey } from '../executions/testing/observed-cache.js';
import type { SystemLog } from '../executions/testing/system-store.js';
import { openSystemLog } from '../executions/testing/system-store.js';
import { eventually } from '../runner/testing/fixture.js';
import type { ApiClient, Reply } from '../runtime/testing/http.js';
import { apiClient, bodyOf, pointersOf } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';
import { approved, created, rejected } from './testing/approval-events.js';

// A Redis database of its own: a starting projector clears its cache kinds in every tenant.
const REDIS_URL = 'redis://127.0.0.1:6379/11';

let system: TestSystem;
let log: SystemLog;
let redis: Redis;
let a: string;
let approver: ApiClient;
let written: string;

beforeAll(async () => {
  system = await startTestSystem('approval_queries', { env: { REDIS_URL, MIN_POSITION_WAIT_MS: '5000' } });
  log = openSystemLog(system);
  redis = new Redis(REDIS_URL);
  a = system.tenant('a');
  approver = apiClient(system.app, await system.tokenFor('a', ['approver', 'sales_manager']));
  await log.append('approval', a, 'ap-1', [created('ap-1', t(10))]);
  await log.append('approval', a, 'ap-2', [created('ap-2', t(20), { approver_role: 'finance', entity: 'invoice' }), rejected('ap-2', t(25))]);
  written = await log.append('approval', a, 'ap-3', [created('ap-3', t(30))]);
});

afterAll(async () => {
  redis?.disconnect();
  await log?.close();
  await system?.close();
});

const afterWrites = (): Record<string, string> => ({ 'x-min-position': written });
const ok = (reply: Reply): Record<string, unknown> & { items?: Record<string, unknown>[] } => {
  expect(reply.statusCode, reply.body).toBe(200);
  return bodyOf(reply);
};
const ids = (reply: Reply): unknown[] => ok(reply).items!.map((item) => item['approval_id']);

describe('GET /approvals/{id}', () => {
  it('answers the request with its ETag; the cached answer is the same body', async () => {
    const fromDatabase = await approver.get('/approvals/ap-2', afterWrites());
    expect(ok(fromDatabase)).toEqual(await getApproval(log.pool, a, 'ap-2'));
    expect(bodyOf(fromDatabase)).toMatchObject({ status: 'rejected', decided_by: 'bob', decided_at: t(25), comment: 'too much' });
    expect(fromDatabase.headers['etag']).toBe('"1"');
    const { cache, key } = await observeCacheKey(redis, cacheKey(a, 'approval', 'ap-2'));
    await eventually(() => cache.get(key), (entry) => entry?.revision === 1);
    const fromCache = await approver.get('/approvals/ap-2');
    expect(fromCache.body).toBe(fromDatabase.body);
  });

  it('never shows another tenant’s request, cached or not; unknown ids are 404', async () => {
    await observeCacheKey(redis, cacheKey(a, 'approval', 'ap-1'));
    const stranger = apiClient(system.app, await system.tokenFor('b', ['admin']));
    expect((await stranger.get('/approvals/ap-1')).statusCode).toBe(404);
    expect(ok(await stranger.get('/approvals?status=pending&approver_role=sales_manager')).items).toEqual([]);
    expect((await approver.get('/approvals/nope')).statusCode).toBe(404);
    const agent = apiClient(system.app, await system.tokenFor('a', ['agent']));
    expect((await agent.get('/approvals')).statusCode).toBe(403);
  });
});

describe('GET /approvals', () => {
  it('filters by status, approver role and entity, newest first; rejects unknown parameters', async () => {
    expect(ids(await approver.get('/approvals', afterWrites()))).toEqual(['ap-3', 'ap-2', 'ap-1']);
    expect(ids(await approver.get('/approvals?status=rejected', afterWrites()))).toEqual(['ap-2']);
    expect(ids(await approver.get('/approvals?entity=invoice&order=asc', afterWrites()))).toEqual(['ap-2']);
    expect(ids(await approver.get('/approvals?approver_role=sales_manager&order=asc', afterWrites()))).toEqual(['ap-1', 'ap-3']);
    expect(pointersOf(await approver.get('/approvals?role=x'))).toEqual(['/querystring/role']);
    expect((await approver.get('/approvals?status=maybe')).statusCode).toBe(400);
  });

  it('serves a role’s pending inbox from the cache, page for page what PostgreSQL answers', async () => {
    const { cache, key } = await observeCacheKey(redis, cacheKey(a, 'pending_approvals', 'sales_manager'));
    await eventually(() => cache.get(key), (entry) => entry?.revision === 2);
    for (const limit of [1, 2, 50]) {
      const reply = await approver.get(`/approvals?status=pending&approver_role=sales_manager&limit=${limit}`);
      expect(ok(reply)).toEqual(await listApprovals(log.pool, a, { limit, status: 'pending', approver_role: 'sales_manager' }));
    }
    const first = ok(await approver.get('/approvals?status=pending&approver_role=sales_manager&limit=1'));
    expect(ids(await approver.get(`/approvals?status=pending&approver_role=sales_manager&limit=1&cursor=${String(first['next_cursor'])}`))).toEqual(['ap-1']);
    // The inbox really comes from the cache: a newer set there is what it answers.
    await cache.setIfNewer(key, 3, { revision: 3, items: [], more: false });
    expect(ok(await approver.get('/approvals?status=pending&approver_role=sales_manager')).items).toEqual([]);
    await cache.delete([key]);
    expect(ids(await approver.get('/approvals?status=pending&approver_role=sales_manager'))).toEqual(['ap-3', 'ap-1']);
    expect((await cache.get(key))?.revision).toBe(2);
  });

  it('takes a decided request out of the inbox once the projector has it', async () => {
    written = await log.append('approval', a, 'ap-3', [approved('ap-3', t(40))]);
    expect(ids(await approver.get('/approvals?status=pending&approver_role=sales_manager', afterWrites()))).toEqual(['ap-1']);
    const { cache, key } = await observeCacheKey(redis, cacheKey(a, 'pending_approvals', 'sales_manager'));
    await eventually(() => cache.get(key), (entry) => entry?.revision === 3);
    expect(ids(await approver.get('/approvals?status=pending&approver_role=sales_manager'))).toEqual(['ap-1']);
  });
});
