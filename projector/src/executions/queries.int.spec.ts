import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPosition } from '@iwf/contracts';
import { cacheKey } from '@iwf/platform/cache/cache';
import { getExecution } from '@iwf/query-service/executions/read-model';
import { eventually } from '../runner/testing/fixture.js';
import type { ApiClient, Reply } from '../runtime/testing/http.js';
import { apiClient, bodyOf, pointersOf } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';
import type { SystemLog } from './testing/system-store.js';
import { openSystemLog } from './testing/system-store.js';
import { observeCacheKey } from './testing/observed-cache.js';
import { failedWithRetries, orderApproval, statusLoop } from './testing/scenarios.js';

// A Redis database of its own: a starting projector clears its cache kinds in every tenant.
const REDIS_URL = 'redis://127.0.0.1:6379/10';

let system: TestSystem;
let log: SystemLog;
let redis: Redis;
let a: string;
let viewer: ApiClient;
let other: ApiClient;
let written: string;

beforeAll(async () => {
  system = await startTestSystem('exec_queries', { env: { REDIS_URL, MIN_POSITION_WAIT_MS: '5000' } });
  log = openSystemLog(system);
  redis = new Redis(REDIS_URL);
  a = system.tenant('a');
  viewer = apiClient(system.app, await system.tokenFor('a', ['workflow_viewer']));
  other = apiClient(system.app, await system.tokenFor('b', ['admin']));
  await log.append('execution', a, 'x-order', orderApproval('x-order'));
  await log.append('execution', a, 'x-erp', failedWithRetries('x-erp'));
  written = await log.append('execution', a, 'x-loop', statusLoop('x-loop'));
});

afterAll(async () => {
  redis?.disconnect();
  await log?.close();
  await system?.close();
});

/** Read-your-writes: these reads wait for the appends above and skip the cache. */
const afterWrites = (): Record<string, string> => ({ 'x-min-position': written });
const ok = (reply: Reply): Record<string, unknown> & { items?: Record<string, unknown>[] } => {
  expect(reply.statusCode, reply.body).toBe(200);
  return bodyOf(reply);
};

describe('GET /executions/{id}', () => {
  it('answers the read model after the write it waits for, with ETag and X-Log-Position', async () => {
    const reply = await viewer.get('/executions/x-order', afterWrites());
    expect(ok(reply)).toEqual(await getExecution(log.pool, a, 'x-order'));
    expect(reply.headers['etag']).toBe('"21"');
    expect(typeof reply.headers['x-log-position']).toBe('string');
    expect(bodyOf(reply)).toMatchObject({ status: 'completed', decision: 'allowed', steps: [{ step_id: 'check_amount' }, {}, {}, {}, {}] });
  });

  it('serves the projector’s cache entry, with the same body PostgreSQL gives', async () => {
    const { cache, key } = await observeCacheKey(redis, cacheKey(a, 'execution', 'x-erp'));
    await eventually(() => cache.get(key), (entry) => entry?.revision === 9);
    const fromDatabase = await viewer.get('/executions/x-erp', afterWrites());
    const fromCache = await viewer.get('/executions/x-erp');
    expect(fromCache.body).toBe(fromDatabase.body);
    expect(fromCache.headers['etag']).toBe('"9"');
    // The route really reads the cache: a newer entry there is what it answers.
    await cache.setIfNewer(key, 10, { ...(await cache.get(key))!.value as object, status: 'cancelled' });
    expect(ok(await viewer.get('/executions/x-erp'))['status']).toBe('cancelled');
    await cache.delete([key]);
    expect(ok(await viewer.get('/executions/x-erp'))['status']).toBe('failed');
    expect((await cache.get(key))?.revision).toBe(9);
  });

  it('never shows another tenant’s execution, cached or not', async () => {
    await observeCacheKey(redis, cacheKey(a, 'execution', 'x-order'));
    const reply = await other.get('/executions/x-order');
    expect(reply.statusCode).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bodyOf(reply)).toMatchObject({ status: 404, title: expect.any(String) });
    expect(ok(await other.get('/executions'))['items']).toEqual([]);
  });

  it('answers 404 for an unknown id and refuses roles that may not read executions', async () => {
    expect((await viewer.get('/executions/nope')).statusCode).toBe(404);
    expect((await viewer.get('/executions/not%20an%20id')).statusCode).toBe(404);
    const agent = apiClient(system.app, await system.tokenFor('a', ['agent']));
    expect((await agent.get('/executions/x-order')).statusCode).toBe(403);
    expect((await agent.get('/executions')).statusCode).toBe(403);
    const approver = apiClient(system.app, await system.tokenFor('a', ['approver']));
    expect((await approver.get('/executions/x-order')).statusCode).toBe(200);
  });
});

describe('GET /executions', () => {
  it('lists summaries newest first and filters by workflow, status and decision', async () => {
    const ids = async (query: string): Promise<unknown[]> => ok(await viewer.get(`/executions${query}`, afterWrites())).items!.map((item) => item['execution_id']);
    const page = ok(await viewer.get('/executions?limit=1&order=asc', afterWrites()));
    expect(page.items).toHaveLength(1);
    expect(page.items![0]).not.toHaveProperty('steps');
    expect(page.items![0]).not.toHaveProperty('context');
    expect(await ids(`?cursor=${String(page['next_cursor'])}&order=asc`)).toHaveLength(2);
    expect(await ids('?workflow_id=erp_sync&status=failed')).toEqual(['x-erp']);
    expect(await ids('?decision=blocked')).toEqual(['x-loop']);
    expect(await ids('?from=2024-07-01T09:00:00Z&to=2024-07-01T09:00:00.001Z')).toHaveLength(3);
    expect(await ids('?to=2024-07-01T09:00:00Z')).toEqual([]);
  });

  it('rejects unknown parameters, bad values and foreign cursors with 400 problems', async () => {
    expect(pointersOf(await viewer.get('/executions?colour=red'))).toEqual(['/querystring/colour']);
    expect((await viewer.get('/executions?status=sleeping')).statusCode).toBe(400);
    expect((await viewer.get('/executions?from=yesterday')).statusCode).toBe(400);
    expect((await viewer.get('/executions?limit=501')).statusCode).toBe(400);
    expect(pointersOf(await viewer.get('/executions?cursor=bogus'))).toEqual(['/querystring/cursor']);
  });

  it('waits on the executions read model for X-Min-Position, and says 503 when it is not reached', async () => {
    const far = formatPosition({ commit: 10n ** 15n, prepare: 0n });
    const reply = await viewer.get('/executions', { 'x-min-position': far, 'x-max-wait-ms': '50' });
    expect(reply.statusCode).toBe(503);
    expect(bodyOf(reply)['type']).toMatch(/projection-behind$/);
  });
});
