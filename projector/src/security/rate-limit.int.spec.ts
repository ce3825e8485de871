import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { startQueryInstance, type QueryInstance } from './testing/query-instance.js';

// One request per 5 s and a burst of 4 per principal; 3 × that per address. Slow refill
// keeps the counts exact however slowly a loaded machine runs the test.
const LIMITS = { RATE_LIMIT_REQUESTS_PER_SECOND: '0.2', RATE_LIMIT_BURST: '4', RATE_LIMIT_PER_IP_FACTOR: '3' };

let system: TestSystem;
let first: QueryInstance;
let second: QueryInstance;

beforeAll(async () => {
  system = await startTestSystem('rate_limit');
  first = await startQueryInstance(system.config.databaseUrl, LIMITS);
  second = await startQueryInstance(system.config.databaseUrl, LIMITS);
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await system?.close();
});

function read(instance: QueryInstance, token: string | undefined, address: string, url = '/api/v1/workflows') {
  return instance.app.inject({ method: 'GET', url, remoteAddress: address, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('rate limits shared by two query-service instances through Redis', () => {
  it('counts one principal’s requests on both instances in one bucket, then answers 429 with Retry-After', async () => {
    const token = await system.tokenFor('limited', ['workflow_viewer'], { actor: 'busy' });
    const replies = [];
    for (const instance of [first, second, first, second, first, second]) replies.push(await read(instance, token, '10.0.0.1'));
    expect(replies.map((reply) => reply.statusCode)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(replies.slice(0, 4).map((reply) => reply.headers['x-ratelimit-remaining'])).toEqual(['3', '2', '1', '0']);
    const refused = replies[4]!;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ type: expect.stringMatching(/rate-limited$/), status: 429, title: 'Too many requests' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(4);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '4', 'x-ratelimit-remaining': '0' });
  });

  it('keeps tenants apart: the same actor name in another tenant has its own bucket', async () => {
    const token = await system.tokenFor('limited-other', ['workflow_viewer'], { actor: 'busy' });
    expect((await read(second, token, '10.0.0.3')).statusCode).toBe(200);
  });

  it('limits one address across principals and instances, unauthenticated requests included', async () => {
    const statuses: number[] = [];
    for (let actor = 0; actor < 4; actor += 1) {
      const token = await system.tokenFor('crowd', ['workflow_viewer'], { actor: `member-${actor}` });
      for (const instance of [first, second, first]) statuses.push((await read(instance, token, '10.0.0.2')).statusCode);
    }
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 200));
    const anonymous = await read(second, undefined, '10.0.0.2');
    expect(anonymous.statusCode).toBe(429);
    expect(anonymous.json()).toMatchObject({ detail: expect.stringMatching(/address/) });
    expect((await read(first, undefined, '10.0.0.9')).statusCode).toBe(401);
  });

  it('never limits health and readiness probes', async () => {
    for (let i = 0; i < 20; i += 1) expect((await read(first, undefined, '10.0.0.2', '/health')).statusCode).toBe(200);
  });

  it('fails open, and says so in the log, when Redis goes away', async () => {
    const token = await system.tokenFor('limited', ['workflow_viewer'], { actor: 'busy' });
    expect((await read(first, token, '10.0.0.1')).statusCode).toBe(429);
    first.cache.redis?.disconnect();
    const reply = await read(first, token, '10.0.0.1');
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['x-ratelimit-remaining']).toBeUndefined();
    expect(first.logs().some((line) => String(line['msg']).includes('rate limiting is failing open'))).toBe(true);
    expect((await read(second, token, '10.0.0.1')).statusCode).toBe(429);
  });
});
