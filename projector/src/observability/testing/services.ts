import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// vite-node ships with vitest; it runs each service's TypeScript main with the workspace aliases.
const VITE_NODE = createRequire(require.resolve('vitest/package.json')).resolve('vite-node/vite-node.mjs');
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CONFIG = `${REPO}vitest.config.ts`;

export type ServiceName = 'command-service' | 'query-service' | 'projector';

export interface RunningService {
  readonly name: ServiceName;
  /** The API base URL (none for the projector). */
  readonly apiUrl: string | undefined;
  readonly metricsUrl: string;
  /** Every JSON line the service wrote to stdout so far. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Starts one service's `main.ts` in its own process, on free ports, and waits until it serves. */
export async function startService(name: ServiceName, env: Readonly<Record<string, string>>): Promise<RunningService> {
  const root = `${REPO}${name}/`;
  const child = spawn(process.execPath, [VITE_NODE, '--root', root, '--config', CONFIG, `${root}src/main.ts`], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const find = (message: string): Record<string, unknown> | undefined => lines.find((line) => line['msg'] === message);
  const ready = name === 'projector' ? 'projector running' : `${name.replace('-', ' ')} listening`;
  const deadline = Date.now() + 45_000;
  while (!find(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start (exit ${String(child.exitCode)}):\n${stderr}\n${lines.map((line) => JSON.stringify(line)).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const metrics = find('metrics server listening')?.['address'];
  const api = find(ready)?.['address'];
  return {
    name,
    apiUrl: typeof api === 'string' ? api : undefined,
    metricsUrl: String(metrics),
    logs: () => lines,
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
