import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { freePort, ROOT, start, type Started } from '../support/processes.js';
import { serviceEnv } from '../support/system.js';

/** Runs make in the repository; never throws, so failures can be asserted on. */
function make(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('make', ['--no-print-directory', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MAKEFLAGS: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Every target the seed's operations guide names, plus ours.
const SEED_TARGETS = [
  'help', 'dev', 'dev-full', 'build', 'docker-build', 'test', 'test-coverage', 'lint',
  'docker-up', 'docker-down', 'docker-restart', 'docker-rebuild', 'docker-clean',
  'monitoring-up', 'monitoring-down', 'metrics', 'dashboards',
  'db-shell', 'db-backup', 'db-restore', 'migrate-up', 'migrate-down',
  'health', 'ready', 'ci', 'security-scan', 'deps',
  'k8s-validate', 'k8s-deploy-dev', 'k8s-deploy-staging', 'k8s-deploy-prod', 'k8s-status',
];
const REPLAY_TARGETS = ['rebuild', 'verify', 'verify-chain', 'history', 'export-events', 'replay-check'];

let db: TestDatabase;
let dev: Started;
let api: string;

beforeAll(async () => {
  db = await createTestDatabase('make');
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  // `iwf dev` as `make dev` starts it, on a free port.
  dev = await start({
    name: 'iwf dev',
    command: process.execPath,
    args: [`${ROOT}projector/dist/cli/main.js`, 'dev', '--port', String(port), '--host', '127.0.0.1'],
    env: serviceEnv(db.url, process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { METRICS_PORT: String(await freePort()) }),
    readyUrl: `${api}/ready`,
  });
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  await db?.drop();
});

describe('make', () => {
  it('help lists every target of the operations guide and the replay and audit targets', () => {
    const help = make('help');
    expect(help.status).toBe(0);
    const listed = new Set([...help.stdout.matchAll(/^ {2}([a-z0-9-]+) +\S/gm)].map((match) => match[1]));
    for (const target of [...SEED_TARGETS, ...REPLAY_TARGETS]) expect(listed.has(target), target).toBe(true);
    expect(make().stdout).toBe(help.stdout);
  });

  it('health and ready answer from a running iwf dev', () => {
    const health = make('health', `API_URL=${api}`);
    expect(health.status, health.stderr).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 'ok' });
    const ready = make('ready', `API_URL=${api}`);
    expect(ready.status, ready.stderr).toBe(0);
    expect(JSON.parse(ready.stdout)).toMatchObject({ status: 'ready', checks: { postgres: 'ok' } });
  });

  it('health fails with one clear line when nothing answers', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const health = make('health', `API_URL=${closed}`);
    expect(health.status).not.toBe(0);
    expect(health.stderr).toContain(`health: ${closed}/health did not answer 200`);
  });

  it('targets that need a Docker engine or a cluster say so and fail when there is none', () => {
    const docker = spawnSync('docker', ['info'], { stdio: 'ignore' });
    if (docker.status !== 0) {
      const up = make('docker-up');
      expect(up.status).not.toBe(0);
      expect(up.stderr).toContain('docker-up: needs a running Docker engine');
    }
    const cluster = spawnSync('kubectl', ['cluster-info', '--request-timeout=5s'], { stdio: 'ignore' });
    if (cluster.status !== 0) {
      const deploy = make('k8s-deploy-dev');
      expect(deploy.status).not.toBe(0);
      expect(deploy.stderr).toContain('k8s-deploy-dev: needs a Kubernetes cluster');
    }
    const restore = make('db-restore');
    expect(restore.status).not.toBe(0);
    expect(restore.stderr).toContain('db-restore: name the backup');
  });

  it('dev-full starts the tracing profile with the services exporting to its collector', () => {
    const planned = make('-n', 'dev-full');
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT=\$\{OTEL_EXPORTER_OTLP_ENDPOINT:-http:\/\/otel-collector:4318\} .*--profile tracing up -d --build/);
  });

  it('db-backup, migrate-status and verify run against the database iwf dev uses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iwf-make-'));
    try {
      const file = join(dir, 'make.dump');
      const backup = make('db-backup', `BACKUP_FILE=${file}`, `DATABASE_URL=${db.url}`);
      expect(backup.status, backup.stderr).toBe(0);
      expect(existsSync(file)).toBe(true);
      const status = make('migrate-status', `DATABASE_URL=${db.url}`);
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toContain('iwf_events');
      const verify = make('verify', `DATABASE_URL=${db.url}`);
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stdout).toContain('workflows: no drift');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
