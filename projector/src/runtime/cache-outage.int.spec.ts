import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisProxy, type RedisProxy } from '@iwf/platform/testing/redis-proxy';
import { startQueryInstance, type QueryInstance } from '../security/testing/query-instance.js';
import { after, apiClient, bodyOf, type ApiClient } from './testing/http.js';
import { startTestSystem, type TestSystem } from './testing/system.js';
import { legacyWorkflow } from './testing/workflows.js';

/**
 * A query-service replica in its own process shares only Redis and PostgreSQL with the
 * projector (here: the test system's). It reaches Redis through a proxy that is down when the
 * replica starts, comes up later, and then stops answering on open connections.
 */
let system: TestSystem;
let proxy: RedisProxy;
let replica: QueryInstance;
let writer: ApiClient;
let reader: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('cache_outage');
  // The same Redis database as the system's projector writes, through the proxy.
  proxy = await redisProxy(Number(new URL(system.config.redisUrl).pathname.slice(1) || 0));
  replica = await startQueryInstance(system.config.databaseUrl, { REDIS_URL: proxy.url });
  const token = await system.tokenFor('outage');
  writer = apiClient(system.app, token);
  reader = apiClient(replica.app, token);
});

afterAll(async () => {
  await replica?.close();
  await proxy?.close();
  await system?.close();
});

describe('a query replica and its Redis', () => {
  it('started while Redis was away, it never serves an older version than the read model: reads go to PostgreSQL until Redis answers', async () => {
    const created = await writer.post('/workflows', legacyWorkflow('wf_outage'));
    expect(created.statusCode).toBe(201);
    expect(bodyOf(await reader.get('/workflows/wf_outage', after(created)))).toMatchObject({ enabled: true, revision: 0 });
    expect(bodyOf(await reader.get('/workflows/wf_outage'))).toMatchObject({ revision: 0 });

    const disabled = await writer.post('/workflows/wf_outage/disable');
    expect(disabled.statusCode).toBe(200);
    // Projected (read through the system itself), so the replica's plain read must show it.
    expect((await writer.get('/workflows/wf_outage', after(disabled))).statusCode).toBe(200);
    expect(bodyOf(await reader.get('/workflows/wf_outage'))).toMatchObject({ enabled: false, revision: 1 });
    expect(replica.logs().some((line) => line['msg'] === 'Redis is not answering: reads go to PostgreSQL until it does')).toBe(true);
    // Still in service: Redis is a cache, so its absence degrades the replica, no more.
    const degraded = await replica.app.inject({ method: 'GET', url: '/ready' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toEqual({ status: 'degraded', checks: { postgres: 'ok', redis: 'unavailable' } });

    await proxy.start();
    while ((await replica.cache.cache.get('iwf:c:probe:none:none').then(() => true, () => false)) === false) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bodyOf(await reader.get('/workflows/wf_outage'))).toMatchObject({ enabled: false, revision: 1 });
    expect((await replica.app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('when Redis stops answering on its open connections, reads still answer, from PostgreSQL', async () => {
    proxy.freeze();
    const enabled = await writer.post('/workflows/wf_outage/enable');
    expect(enabled.statusCode).toBe(200);
    expect(bodyOf(await reader.get('/workflows/wf_outage', after(enabled)))).toMatchObject({ enabled: true, revision: 2 });
    expect(bodyOf(await reader.get('/workflows/wf_outage'))).toMatchObject({ enabled: true, revision: 2 });
    expect((await reader.get('/executions/ex_none')).statusCode).toBe(404);
  });
});
