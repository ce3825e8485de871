import { pino } from 'pino';
import { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, type JwtSettings } from '../../auth/jwt.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const jwt: JwtSettings = { secret: 'iwf-metrics-server-test-secret-0123456789', issuer: undefined, audience: undefined, clockSkewSeconds: 0 };
let server: MetricsServer;
let admin: string;
let viewer: string;
let notReady: string | undefined;

beforeAll(async () => {
  const registry = createMetricsRegistry('test-service');
  new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3);
  server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0, jwt, logger: pino({ level: 'silent' }), notReady: () => notReady });
  admin = await mintToken(jwt.secret!, { actor: 'ops', tenant: 'acme', roles: ['admin'] });
  viewer = await mintToken(jwt.secret!, { actor: 'someone', tenant: 'acme', roles: ['viewer'] });
});

afterAll(() => server.close());

const get = (path: string, token?: string): Promise<Response> => fetch(`${server.address}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('the metrics port', () => {
  it('serves the registry in the Prometheus text format, with process metrics and the service label', async () => {
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('test_things_total{service="test-service"} 3');
    expect(text).toMatch(/^process_cpu_seconds_total\{service="test-service"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{service="test-service"\} /m);
    expect(text).toMatch(/^iwf_process_memory_limit_bytes\{service="test-service"\} \d+/m);
    expect(await (await get('/health')).json()).toEqual({ status: 'ok' });
    expect((await get('/elsewhere')).status).toBe(404);
  });

  it('answers /ready with 200 while the process is ready, and 503 with the reason while it is not', async () => {
    const ready = await get('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    notReady = 'read model stored at another version; run iwf rebuild';
    try {
      const waiting = await get('/ready');
      expect(waiting.status).toBe(503);
      expect(await waiting.json()).toEqual({ status: 'not_ready', reason: notReady });
      expect((await get('/health')).status).toBe(200);
    } finally {
      notReady = undefined;
    }
    expect((await get('/ready')).status).toBe(200);
  });

  it('keeps profiling to administrators', async () => {
    for (const path of ['/debug/pprof/profile?seconds=0.1', '/debug/pprof/heap']) {
      const anonymous = await get(path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
      expect((await get(path, 'not-a-token')).status).toBe(401);
      expect((await get(path, viewer)).status).toBe(403);
    }
  });

  it('takes a CPU profile for the seconds asked', async () => {
    const started = Date.now();
    const response = await get('/debug/pprof/profile?seconds=0.3', admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/\.cpuprofile"$/);
    const profile = (await response.json()) as { nodes: unknown[]; startTime: number; endTime: number; samples: number[] };
    expect(profile.nodes.length).toBeGreaterThan(0);
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(250_000); // microseconds
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await get('/debug/pprof/profile?seconds=9999', admin)).status).toBe(400);
  });

  it('refuses a second CPU profile while one runs', async () => {
    const first = get('/debug/pprof/profile?seconds=0.5', admin);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await get('/debug/pprof/profile?seconds=0.1', admin)).status).toBe(409);
    expect((await first).status).toBe(200);
  });

  it('streams a heap snapshot', async () => {
    const response = await get('/debug/pprof/heap', admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/\.heapsnapshot"$/);
    const snapshot = JSON.parse(await response.text()) as { snapshot: { node_count: number }; nodes: number[] };
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
  });
});
