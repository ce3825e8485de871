import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@iwf/platform/auth/jwt';
import { loadConfig } from '@iwf/platform/config/config';
import { createLogger } from '@iwf/platform/logging/logger';
import { shutdown } from '@iwf/platform/runtime/serve';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { buildAllInOne, type AllInOne } from '../runtime/all-in-one.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';

const SECRET = 'iwf-logging-test-secret-0123456789abcdefgh';
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter((line) => line.trim() !== ''));
    done();
  },
});
const logger = createLogger({ level: 'trace', name: 'logging-test', destination: sink });
let db: TestDatabase;
let system: AllInOne;
let admin: string;
let reader: string;

beforeAll(async () => {
  db = await createTestDatabase('obs_logging');
  const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', JWT_SECRET: SECRET });
  system = await buildAllInOne(config, logger);
  await system.app.ready();
  const tenant = `log${Date.now().toString(36)}`;
  admin = await mintToken(SECRET, { actor: 'ops', tenant, roles: ['admin'] });
  reader = await mintToken(SECRET, { actor: 'viewer', tenant, roles: ['viewer'] });
});

afterAll(async () => {
  await shutdown(system.app, system.resources, logger);
  await db.drop();
});

const parsed = (): Record<string, unknown>[] => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('request logging', () => {
  it('a request whose body, URL and headers hold secrets and tokens is logged without them', async () => {
    const body = legacyWorkflow('secret_flow', {
      metadata: { password: 'hunter2-password', nested: { client_secret: 'cs-0099887766', note: 'visible-note' } },
      credentials: { api_key: 'ak-5544332211', session_token: 'st-1122334455' },
      description: `call with Bearer ${admin}`,
    });
    const response = await system.app.inject({ method: 'POST', url: '/api/v1/workflows', headers: { authorization: `Bearer ${admin}` }, payload: body });
    // A write takes no query parameters it does not name, so the URL's secret goes on a read.
    const withQuery = await system.app.inject({ method: 'GET', url: '/api/v1/workflows?api_key=query-key-778899&page=1', headers: { authorization: `Bearer ${admin}` } });
    // A request carrying both credentials is refused before its body is read, so the key goes alone.
    await system.app.inject({ method: 'GET', url: '/api/v1/workflows', headers: { 'x-api-key': 'header-key-665544' } });
    const linesOf = (reply: { headers: Record<string, unknown> }) => parsed().filter((line) => line['reqId'] === reply.headers['x-request-id']);
    // The request was logged, body included, so the check below is about real lines.
    const bodyLine = linesOf(response).find((line) => line['msg'] === 'request body');
    expect(JSON.stringify(bodyLine)).toContain('visible-note');
    expect(linesOf(withQuery).find((line) => line['msg'] === 'incoming request')?.['req']).toMatchObject({ url: '/api/v1/workflows?api_key=[redacted]&page=1' });
    const text = lines.join('\n');
    for (const secret of ['hunter2-password', 'cs-0099887766', 'ak-5544332211', 'st-1122334455', 'query-key-778899', 'header-key-665544', admin]) {
      expect(text).not.toContain(secret);
    }
  });

  it('labels HTTP metrics with the route template, never the raw URL', async () => {
    await system.app.inject({ method: 'GET', url: '/api/v1/workflows/some_flow_42', headers: { authorization: `Bearer ${admin}` } });
    await system.app.inject({ method: 'GET', url: '/nothing/here/123' });
    const text = await system.observability.registry.metrics();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/workflows\/:workflow_id",status="404"[^}]*\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"/);
    expect(text).not.toContain('some_flow_42');
    expect(text).not.toContain('/nothing/here');
  });
});

describe('log level at run time', () => {
  const level = (token: string | undefined, method: 'GET' | 'PUT', payload?: object) =>
    system.app.inject({ method, url: '/admin/log-level', headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });

  it('is for authenticated administrators only', async () => {
    expect((await level(undefined, 'GET')).statusCode).toBe(401);
    expect((await level(reader, 'PUT', { level: 'debug' })).statusCode).toBe(403);
    expect((await level(admin, 'PUT', { level: 'verbose' })).statusCode).toBe(400);
    expect(logger.level).toBe('trace');
  });

  it('changes what the next requests log', async () => {
    expect((await level(admin, 'GET')).json()).toEqual({ level: 'trace' });
    expect((await level(admin, 'PUT', { level: 'warn' })).json()).toEqual({ level: 'warn', previous: 'trace' });
    const before = lines.length;
    const response = await system.app.inject({ method: 'GET', url: '/health' });
    expect(parsed().slice(before).filter((line) => line['reqId'] === response.headers['x-request-id'])).toEqual([]);
    expect((await level(admin, 'PUT', { level: 'info' })).json()).toEqual({ level: 'info', previous: 'warn' });
    const next = await system.app.inject({ method: 'GET', url: '/health' });
    expect(parsed().some((line) => line['reqId'] === next.headers['x-request-id'] && line['msg'] === 'incoming request')).toBe(true);
  });
});
