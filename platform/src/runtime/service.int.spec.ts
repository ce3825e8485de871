import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../http/app.js';
import { freePort } from '../testing/ports.js';
import type { Closeable } from './serve.js';
import { startService } from './service.js';

const IDENTITY = { name: 'lifecycle-test', version: '0.0.0' };
const ENV = { APP_ENV: 'test', HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' };

/** A resource that notes its closing in `closed`, then does `close` (if given). */
function noting(closed: string[], name: string, close: () => Promise<void> = async () => undefined): Closeable {
  return {
    name,
    close: () => {
      closed.push(name);
      return close();
    },
  };
}

const answers = (url: string): Promise<boolean> =>
  fetch(url).then(
    (response) => response.ok,
    () => false,
  );

describe('startService, when the start fails', () => {
  it('closes what was owned before the failure, last first, and fails with the error', async () => {
    const closed: string[] = [];
    const failure = new Error('third would not open');
    const started = startService(
      IDENTITY,
      async ({ own }) => {
        own(noting(closed, 'first'));
        own(noting(closed, 'second'));
        throw failure;
      },
      ENV,
    );
    await expect(started).rejects.toBe(failure);
    expect(closed).toEqual(['second', 'first']);
  });

  it('closes the rest when a close throws or rejects, and still fails with the start error', async () => {
    const closed: string[] = [];
    const started = startService(
      IDENTITY,
      async ({ own }) => {
        own(noting(closed, 'first'));
        own({
          name: 'throws',
          close: () => {
            closed.push('throws');
            throw new Error('throws at once');
          },
        });
        own(noting(closed, 'rejects', () => Promise.reject(new Error('rejects later'))));
        throw new Error('the start failed');
      },
      ENV,
    );
    await expect(started).rejects.toThrow('the start failed');
    expect(closed).toEqual(['rejects', 'throws', 'first']);
  });

  it('on an API port already taken, closes the API, then what was owned with the metrics port still up, then the metrics port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const address = taken.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const metricsPort = await freePort();
      const health = `http://127.0.0.1:${metricsPort}/health`;
      const closed: string[] = [];
      const started = startService(
        IDENTITY,
        async ({ config, logger, own }) => {
          own(noting(closed, 'owned', async () => void closed.push(`metrics up: ${String(await answers(health))}`)));
          const app = await createHttpApp({ config, logger });
          app.addHook('onClose', async () => void closed.push('api'));
          return app;
        },
        { ...ENV, SERVER_PORT: String(port), METRICS_PORT: String(metricsPort) },
      );
      await expect(started).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(closed).toEqual(['api', 'owned', 'metrics up: true']);
      expect(await answers(health)).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

const require = createRequire(import.meta.url);
const VITE_NODE = createRequire(require.resolve('vitest/package.json')).resolve('vite-node/vite-node.mjs');
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./testing/service-child.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | NodeJS.Signals>;
  /** Its JSON log lines so far. */
  logs(): Record<string, unknown>[];
  stderr(): string;
}

function startChild(scenario: string, env: Readonly<Record<string, string>>): Child {
  const child = spawn(process.execPath, [VITE_NODE, '--root', `${ROOT}platform`, '--config', `${ROOT}vitest.config.ts`, CHILD], {
    cwd: ROOT,
    env: { ...process.env, ...ENV, LOG_LEVEL: 'info', IWF_TEST_SCENARIO: scenario, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('close', (code, signal) => resolve(signal ?? code ?? -1)));
  const logs = (): Record<string, unknown>[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { process: child, exited, logs, stderr: () => stderr };
}

async function logged(child: Child, message: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = child.logs().find((entry) => entry['msg'] === message);
    if (line) return line;
    if (child.process.exitCode !== null || Date.now() > deadline) throw new Error(`no "${message}" line:\n${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The shutdown as logged: closings and failed closes, by resource, and the API's close. */
const closings = (child: Child): string[] =>
  child
    .logs()
    .filter((line) => ['closing', 'closing a resource failed', 'api closed'].includes(String(line['msg'])))
    .map((line) => (line['msg'] === 'api closed' ? 'api' : `${String(line['msg'])}: ${String(line['resource'])}`));

describe('runService, as a process main', () => {
  it('serves, and on SIGTERM closes the API, the owned resources last first (past a failing one), then the metrics port; exit 0', async () => {
    const child = startChild('serve', { METRICS_PORT: String(await freePort()) });
    const ready = await logged(child, 'lifecycle test listening');
    expect(await (await fetch(`${String(ready['address'])}/ping`)).json()).toEqual({ pong: true });
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.logs().find((line) => line['msg'] === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(closings(child)).toEqual(['api', 'closing: third', 'closing: second', 'closing a resource failed: second', 'closing: first']);
    expect(child.logs().find((line) => line['resource'] === 'first')).toMatchObject({ metrics: true });
  });

  it('exits 1 at once on a second signal while closing', async () => {
    const child = startChild('hang', {});
    await logged(child, 'lifecycle test listening');
    child.process.kill('SIGTERM');
    await logged(child, 'closing');
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(1);
    expect(child.logs().find((line) => line['msg'] === 'second signal: exiting now')).toMatchObject({ signal: 'SIGINT' });
  });

  it('on a failed start closes what opened, writes `<name>: <message>` to stderr and exits 1', async () => {
    const child = startChild('fail', {});
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toContain('lifecycle-test: third would not open\n');
    expect(closings(child)).toEqual(['closing: second', 'closing a resource failed: second', 'closing: first']);
    expect(child.logs().some((line) => line['msg'] === 'lifecycle test listening')).toBe(false);
  });
});
