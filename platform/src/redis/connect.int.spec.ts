import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { redisProxy, type RedisProxy } from '../testing/redis-proxy.js';
import { connectCache, type CacheConnection } from './connect.js';

const logger = pino({ level: 'silent' });
let opened: { connection: CacheConnection; proxy: RedisProxy } | undefined;

afterEach(async () => {
  await opened?.connection.close();
  await opened?.proxy.close();
  opened = undefined;
});

async function open(whenUnreachable: 'redis' | 'memory', startProxy: boolean): Promise<{ connection: CacheConnection; proxy: RedisProxy }> {
  const proxy = await redisProxy();
  if (startProxy) await proxy.start();
  const connection = await connectCache(proxy.url, logger, { namespace: `connect-${process.pid}`, whenUnreachable });
  opened = { connection, proxy };
  return opened;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check().catch(() => false))) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('connectCache', () => {
  it('a service that starts before Redis keeps the Redis cache: its commands fail (misses) until Redis answers, then it is used', async () => {
    const { connection, proxy } = await open('redis', false);
    expect(connection.cache.kind).toBe('redis');
    await expect(connection.cache.get('iwf:c:t:kind:id')).rejects.toThrow();
    await proxy.start();
    await until(() => connection.cache.setIfNewer('iwf:c:t:kind:id', 1, { v: 1 }));
    expect(await connection.cache.get('iwf:c:t:kind:id')).toEqual({ revision: 1, value: { v: 1 } });
    await connection.cache.delete(['iwf:c:t:kind:id']);
  });

  it('a Redis that stops answering on an open connection fails the command after the command timeout instead of holding it', async () => {
    const { connection, proxy } = await open('redis', true);
    expect(await connection.cache.get('iwf:c:t:kind:hung')).toBeUndefined();
    proxy.freeze();
    await expect(connection.cache.get('iwf:c:t:kind:hung')).rejects.toThrow(/timed out/i);
    await expect(connection.cache.setIfNewer('iwf:c:t:kind:hung', 2, { v: 2 })).rejects.toThrow(/timed out/i);
  });

  it('one process with every role (iwf dev) falls back to an in-process cache when no Redis answers at start', async () => {
    const { connection } = await open('memory', false);
    expect(connection.cache.kind).toBe('memory');
    expect(connection.redis).toBeUndefined();
    await connection.cache.setIfNewer('iwf:c:t:kind:id', 3, { v: 3 });
    expect(await connection.cache.get('iwf:c:t:kind:id')).toEqual({ revision: 3, value: { v: 3 } });
  });
});
