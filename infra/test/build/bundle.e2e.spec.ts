import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { freePort, ROOT, run, start, type Started } from '../support/processes.js';
import { call, serviceEnv, token } from '../support/system.js';

// The bundle step the Dockerfile runs (scripts/bundle.sh, `make bundle`), started from its
// output folder outside the repository, so nothing resolves from the workspace's node_modules.
const SERVICES = ['command-service', 'query-service', 'projector'] as const;

let out: string;
let db: TestDatabase;
const started: Started[] = [];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'iwf-bundles-'));
  // The test command has just built the workspace (scripts/setup.sh runs tsc -b).
  await Promise.all(SERVICES.map((service) => run('bash', ['scripts/bundle.sh', service, join(out, service)], { ...process.env, BUNDLE_SKIP_BUILD: '1' })));
  db = await createTestDatabase('bundles');
}, 120_000);

afterAll(async () => {
  await Promise.all(started.map((process) => process.stop()));
  await db?.drop();
  if (out) await rm(out, { recursive: true, force: true });
});

async function startBundle(service: (typeof SERVICES)[number], env: NodeJS.ProcessEnv, readyUrl: string): Promise<void> {
  started.push(await start({ name: service, command: process.execPath, args: ['dist/main.js'], cwd: join(out, service), env, readyUrl }));
}

describe('service bundles', () => {
  it('hold compiled code and production dependencies only', async () => {
    for (const service of SERVICES) {
      const folder = join(out, service);
      expect(await readFile(join(folder, 'BUNDLE'), 'utf8')).toContain(`service=${service}`);
      expect(existsSync(join(folder, 'dist/main.js'))).toBe(true);
      expect(existsSync(join(folder, 'src'))).toBe(false);
      const installed = await readdir(join(folder, 'node_modules/.pnpm'));
      for (const devOnly of ['testcontainers@', 'vitest@', 'typescript@', 'eslint@', 'fast-check@']) {
        expect(installed.filter((name) => name.startsWith(devOnly)), `${service}: ${devOnly}`).toEqual([]);
      }
      // Tests are not shipped: neither the service's own nor those of the workspace packages it carries.
      expect(await run('find', [join(folder, 'dist'), '-name', '*.spec.js'])).toBe('');
      expect(await run('find', [join(folder, 'node_modules/.pnpm'), '-path', '*/node_modules/@iwf/*', '(', '-name', '*.spec.js', '-o', '-name', '*.ts', ')'])).toBe('');
    }
  });

  it('start from their output folders and serve a write and its read', async () => {
    const redis = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const projectorMetrics = await freePort();
    const [commandPort, queryPort] = [await freePort(), await freePort()];
    await Promise.all([
      startBundle('projector', serviceEnv(db.url, redis, { METRICS_PORT: String(projectorMetrics) }), `http://127.0.0.1:${projectorMetrics}/ready`),
      startBundle('command-service', serviceEnv(db.url, redis, { SERVER_PORT: String(commandPort), METRICS_PORT: String(await freePort()) }), `http://127.0.0.1:${commandPort}/ready`),
    ]);
    await startBundle('query-service', serviceEnv(db.url, redis, { SERVER_PORT: String(queryPort), METRICS_PORT: String(await freePort()) }), `http://127.0.0.1:${queryPort}/ready`);

    const bearer = await token('bundles');
    const document = JSON.parse(await readFile(join(ROOT, 'fixtures/workflows/legacy/quote-expiration-management.json'), 'utf8')) as Record<string, unknown>;
    const created = await call<{ workflow_id: string; position: string }>(`http://127.0.0.1:${commandPort}`, 'POST', '/api/v1/workflows', { token: bearer, body: document });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await call(`http://127.0.0.1:${queryPort}`, 'GET', `/api/v1/workflows/${created.body.workflow_id}`, {
      token: bearer,
      headers: { 'x-min-position': created.body.position },
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ workflow_id: created.body.workflow_id, revision: 0 });
  });
});
