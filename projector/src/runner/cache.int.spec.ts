import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '@iwf/platform/cache/cache';
import { createRedisCache } from '@iwf/platform/cache/redis-cache';
import { getWorkflow } from '@iwf/query-service/workflows/read-model';
import { workflowsProjection } from '../workflows/projection.js';
import { created, disabled, enabled } from '../workflows/testing/workflow-events.js';
import type { RunnerLogger } from './logger.js';
import { ProjectionRunner } from './runner.js';
import type { ProjectorFixture } from './testing/fixture.js';
import { createProjectorFixture, eventually } from './testing/fixture.js';

// A logical database of its own: the runner clears workflow entries of every tenant when it starts.
const REDIS = { host: '127.0.0.1', port: 6379, db: 13 };
const quiet: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let fx: ProjectorFixture;
let observer: Redis;
// What a reader of the cache sees, through a connection of its own.
const observed = { get: (key: string) => createRedisCache(observer).get(key) };
const runners: ProjectionRunner[] = [];
const clients: Redis[] = [];

function start(redis: Redis, logger = quiet): ProjectionRunner {
  const runner = new ProjectionRunner({
    projection: workflowsProjection,
    store: fx.store,
    pool: fx.pool,
    cache: createRedisCache(redis),
    logger,
    lockRetryMs: 50,
    cacheWriter: { timeoutMs: 200, repairIntervalMs: 50 },
  });
  runner.done.catch(() => undefined);
  runners.push(runner);
  return runner;
}

function client(): Redis {
  // Without the offline queue a command fails at once while disconnected, as in an outage.
  const redis = new Redis({ ...REDIS, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  clients.push(redis);
  return redis;
}

beforeAll(async () => {
  fx = await createProjectorFixture('runner_cache');
  observer = new Redis(REDIS);
  await createRedisCache(observer).clearPrefix('iwf:c:');
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  clients.splice(0).forEach((redis) => redis.disconnect());
});

afterAll(async () => {
  await createRedisCache(observer).clearPrefix('iwf:c:');
  observer.disconnect();
  await fx.close();
});

describe('projection cache', () => {
  it('clears the projection’s entries of every tenant when it starts, and only those', async () => {
    const seed = createRedisCache(observer);
    await seed.setIfNewer(cacheKey('t1', 'workflow', 'left-over'), 9, { stale: true });
    await seed.setIfNewer(cacheKey('t2', 'workflow', 'other'), 9, { stale: true });
    await seed.setIfNewer(cacheKey('t1', 'execution', 'x'), 1, { kept: true });
    const runner = start(await ready(client()));
    await eventually(() => runner.status().state, (state) => state === 'active');
    expect(await observed.get(cacheKey('t1', 'workflow', 'left-over'))).toBeUndefined();
    expect(await observed.get(cacheKey('t2', 'workflow', 'other'))).toBeUndefined();
    expect(await observed.get(cacheKey('t1', 'execution', 'x'))).toEqual({ revision: 1, value: { kept: true } });
  });

  it('writes each view after commit with its revision; a late older write never replaces it', async () => {
    start(await ready(client()));
    await fx.append('t1', 'w', [created('w', '2024-01-01T00:00:00Z'), disabled('w', '2024-01-02T00:00:00Z')]);
    const key = cacheKey('t1', 'workflow', 'w');
    const entry = await eventually(() => observed.get(key), (cached) => cached?.revision === 1);
    expect(entry?.value).toEqual(await getWorkflow(fx.pool, 't1', 'w'));
    expect(await createRedisCache(observer).setIfNewer(key, 0, { late: true })).toBe(false);
    expect(await observed.get(key)).toEqual(entry);
  });

  it('survives the cache going away: batches still commit, and stale entries are cleared once it answers', async () => {
    const redis = await ready(client());
    const warnings: string[] = [];
    const runner = start(redis, { ...quiet, warn: (_fields, message) => warnings.push(message) });
    await fx.append('t1', 'v', [created('v', '2024-01-01T00:00:00Z')]);
    const key = cacheKey('t1', 'workflow', 'v');
    await eventually(() => observed.get(key), (cached) => cached?.revision === 0);
    redis.disconnect();
    await fx.append('t1', 'v', [disabled('v', '2024-01-02T00:00:00Z')]);
    await eventually(() => getWorkflow(fx.pool, 't1', 'v'), (view) => view?.revision === 1);
    await eventually(() => runner.status().cache_dirty, Boolean);
    expect(warnings.some((message) => message.startsWith('cache write failed'))).toBe(true);
    expect((await observed.get(key))?.revision).toBe(0);
    await redis.connect();
    await eventually(() => runner.status().cache_dirty, (dirty) => !dirty);
    expect(await observed.get(key)).toBeUndefined();
    await fx.append('t1', 'v', [enabled('v', '2024-01-03T00:00:00Z')]);
    await eventually(() => observed.get(key), (cached) => cached?.revision === 2);
    expect(runner.status().state).toBe('active');
  });
});

async function ready(redis: Redis): Promise<Redis> {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}
