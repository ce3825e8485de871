import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { freePort, ROOT, start, type Started } from '../support/processes.js';
import { call, startServices, token, type Services } from '../support/system.js';

// Debian's nginx with the repository's gateway config, in front of the command and query
// services running as separate processes (scripts/infra-tools.sh installs nginx).
const NGINX = process.env['NGINX'] ?? '/usr/sbin/nginx';

/** The gateway config as the nginx image lays it out: nginx.conf plus the rendered template. */
async function renderGateway(prefix: string, variables: Record<string, string>): Promise<string> {
  await mkdir(join(prefix, 'conf.d'), { recursive: true });
  await copyFile(join(ROOT, 'infra/gateway/nginx.conf'), join(prefix, 'nginx.conf'));
  await copyFile('/etc/nginx/mime.types', join(prefix, 'mime.types'));
  const template = await readFile(join(ROOT, 'infra/gateway/templates/gateway.conf.template'), 'utf8');
  // The image's envsubst replaces only the variables it is given; nginx's own $names stay.
  const rendered = template.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => variables[name] ?? whole);
  await writeFile(join(prefix, 'conf.d/gateway.conf'), rendered);
  return join(prefix, 'nginx.conf');
}

let db: TestDatabase;
let services: Services;
let nginx: Started;
let prefix: string;
let config: string;
let gateway: string;
let bearer: string;
let logFd: number | undefined;
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

beforeAll(async () => {
  db = await createTestDatabase('gateway');
  services = await startServices(db.url, redisUrl);
  prefix = await mkdtemp(join(tmpdir(), 'iwf-gateway-'));
  const port = await freePort();
  config = await renderGateway(prefix, {
    COMMAND_SERVICE_ADDR: new URL(services.command).host,
    QUERY_SERVICE_ADDR: new URL(services.query).host,
    GATEWAY_PORT: String(port),
  });
  gateway = `http://127.0.0.1:${port}`;
  // nginx logs requests to /dev/stdout, which must be a file or a pipe (not a socket).
  logFd = openSync(join(prefix, 'access.log'), 'a');
  nginx = await start({
    name: 'nginx',
    command: NGINX,
    args: ['-e', 'stderr', '-p', prefix, '-c', config, '-g', 'daemon off;'],
    env: process.env,
    readyUrl: `${gateway}/gateway/health`,
    stdout: logFd,
  });
  bearer = await token(`gw-${randomBytes(4).toString('hex')}`);
}, 90_000);

afterAll(async () => {
  await nginx?.stop();
  if (logFd !== undefined) closeSync(logFd);
  await services?.stop();
  await db?.drop();
  if (prefix) await rm(prefix, { recursive: true, force: true });
});

/** nginx's JSON access log lines so far (stdout). */
function accessLog(): { method: string; uri: string; status: number; upstream: string }[] {
  return readFileSync(join(prefix, 'access.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { method: string; uri: string; status: number; upstream: string });
}

describe('the nginx gateway', () => {
  it('passes nginx -t', () => {
    // stdout to /dev/null: the config opens /dev/stdout for its access log.
    const test = spawnSync(NGINX, ['-e', 'stderr', '-t', '-p', prefix, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    expect(test.status, test.stderr).toBe(0);
    expect(test.stderr).toContain('syntax is ok');
    expect(test.stderr).toContain('test is successful');
  });

  it('takes writes to the command service and reads to the query service, read-your-writes included', async () => {
    const document = JSON.parse(await readFile(join(ROOT, 'fixtures/workflows/legacy/high-value-order-approval.json'), 'utf8')) as Record<string, unknown>;
    const created = await call<{ workflow_id: string; position: string }>(gateway, 'POST', '/api/v1/workflows', { token: bearer, body: document });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.workflow_id;

    const read = await call(gateway, 'GET', `/api/v1/workflows/${id}`, { token: bearer, headers: { 'x-min-position': created.body.position } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ workflow_id: id, name: document['name'], revision: 0, enabled: true });
    expect(read.headers.get('etag')).toBe('"0"');

    const disabled = await call<{ position: string }>(gateway, 'POST', `/api/v1/workflows/${id}/disable`, { token: bearer });
    expect(disabled.status).toBe(200);
    const listed = await call<{ items: { workflow_id: string; enabled: boolean }[] }>(gateway, 'GET', '/api/v1/workflows?enabled=false', {
      token: bearer,
      headers: { 'x-min-position': disabled.body.position },
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item) => [item.workflow_id, item.enabled])).toEqual([[id, false]]);

    const archived = await call(gateway, 'DELETE', `/api/v1/workflows/${id}`, { token: bearer });
    expect(archived.status).toBe(200);

    // nginx writes a request's log line as it finalises the request, a moment after answering.
    const apiLog = (): ReturnType<typeof accessLog> => accessLog().filter((entry) => entry.uri.startsWith('/api/v1/'));
    for (let waited = 0; apiLog().length < 5 && waited < 3_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const commandHost = new URL(services.command).host;
    const queryHost = new URL(services.query).host;
    expect(apiLog().map((entry) => [entry.method, entry.upstream])).toEqual([
      ['POST', commandHost],
      ['GET', queryHost],
      ['POST', commandHost],
      ['GET', queryHost],
      ['DELETE', commandHost],
    ]);
  });

  it('passes the services problem documents and status codes through', async () => {
    const invalid = await call(gateway, 'POST', '/api/v1/workflows', { token: bearer, body: { name: 42 } });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toContain('application/problem+json');
    const anonymous = await call(gateway, 'GET', '/api/v1/workflows');
    expect(anonymous.status).toBe(401);
    const missing = await call(gateway, 'GET', '/api/v1/workflows/no_such_workflow', { token: bearer });
    expect(missing.status).toBe(404);
  });

  it('answers /health and /ready from behind, and unknown paths and oversized bodies with its own problems', async () => {
    expect((await call(gateway, 'GET', '/health')).body).toMatchObject({ status: 'ok' });
    const ready = await call(gateway, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready' });
    const unknown = await call(gateway, 'GET', '/elsewhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    const huge = await fetch(`${gateway}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'x', payload: { blob: 'x'.repeat(3 * 1024 * 1024) } }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('answers 503 with Retry-After when the service behind it is gone', async () => {
    const query = services.processes.find((process) => process.name === 'query-service');
    await query?.stop();
    const gone = await call(gateway, 'GET', '/api/v1/workflows', { token: bearer });
    expect(gone.status).toBe(503);
    expect(gone.headers.get('retry-after')).toBe('5');
    expect(gone.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
  });
});
