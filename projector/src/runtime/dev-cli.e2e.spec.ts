import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { legacyWorkflow } from './testing/workflows.js';

// The built CLI, as `pnpm dev` runs it; the test command builds (`tsc -b`) before it tests.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}projector/dist/cli/main.js`;
const JWT_SECRET = 'iwf-e2e-test-secret-0123456789abcdefghij';

interface ReadyLine {
  readonly msg: string;
  readonly address: string;
}

let db: TestDatabase;
let child: ChildProcess | undefined;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
const output: string[] = [];

function environment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    APP_ENV: 'development',
    DATABASE_URL: db.url,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    JWT_SECRET,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
}

/** Resolves with the "iwf dev is ready" log line; rejects if the process ends before it. */
function readyLine(server: ChildProcess): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    if (!server.stdout) return reject(new Error('no stdout'));
    const lines = createInterface({ input: server.stdout });
    lines.on('line', (line) => {
      output.push(line);
      try {
        const parsed = JSON.parse(line) as Partial<ReadyLine>;
        if (parsed.msg === 'iwf dev is ready' && typeof parsed.address === 'string') resolve(parsed as ReadyLine);
      } catch {
        // Not a log line; kept in `output` for the failure message.
      }
    });
    server.once('exit', (code, signal) => reject(new Error(`iwf dev exited (${code ?? signal}) before it was ready:\n${output.join('\n')}`)));
  });
}

let base: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the project first (pnpm exec tsc -b), as the test command does.`);
  db = await createTestDatabase('e2e_dev');
  child = spawn(process.execPath, [CLI, 'dev', '--port', '0', '--host', '127.0.0.1'], { cwd: ROOT, env: environment(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  exited = new Promise((resolve) => child?.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await readyLine(child);
  base = ready.address;
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  await db?.drop();
});

async function token(tenant: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'token', '--tenant', tenant, '--roles', 'admin'], { cwd: ROOT, env: environment() });
  return stdout.trim();
}

describe('iwf dev', () => {
  it('answers /ready once it has logged that it is ready', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok' } });
  });

  it('creates a workflow with a token from `iwf token` and reads it back at once with X-Min-Position', async () => {
    const bearer = { authorization: `Bearer ${await token(`e2e-${randomBytes(4).toString('hex')}`)}` };
    const document = legacyWorkflow('e2e_orders', { name: 'E2E orders', tags: ['e2e'] });
    const created = await fetch(`${base}/api/v1/workflows`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify(document),
    });
    const answer = (await created.json()) as { workflow_id: string; revision: number; position: string };
    expect(created.status, JSON.stringify(answer)).toBe(201);
    expect(answer).toMatchObject({ workflow_id: 'e2e_orders', revision: 0 });
    expect(created.headers.get('x-log-position')).toBe(answer.position);

    const read = await fetch(`${base}/api/v1/workflows/e2e_orders`, { headers: { ...bearer, 'x-min-position': answer.position } });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"0"');
    expect(await read.json()).toMatchObject({
      workflow_id: 'e2e_orders',
      name: 'E2E orders',
      tags: ['e2e'],
      enabled: true,
      definition: { trigger: document['trigger'], steps: document['steps'] },
    });
  });

  it('stops cleanly on SIGTERM (exit code 0)', async () => {
    child?.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }, output.join('\n')).toEqual({ code: 0, signal: null });
    expect(output.some((line) => line.includes('"msg":"shutting down"'))).toBe(true);
  });
});
