import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// Built entry points, as a deployment runs them; the test command builds (`tsc -b`) first.
export const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
export const COMMAND_SERVICE = `${ROOT}command-service/dist/main.js`;
export const IWF_CLI = `${ROOT}projector/dist/cli/main.js`;

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The HTTP address from its ready log line. */
  readonly address: string;
  /** Everything it wrote, stdout and stderr, line by line. */
  readonly output: string[];
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it is. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the clean exit. */
  stop(): Promise<void>;
}

/** Starts a built service and resolves once it logs `readyMessage` with an `address`. */
export async function startService(script: string, args: readonly string[], env: Readonly<Record<string, string>>, readyMessage: string): Promise<ServiceProcess> {
  if (!existsSync(script)) throw new Error(`${script} is missing: build first (pnpm exec tsc -b), as the test command does.`);
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => output.push(line));
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      try {
        const parsed = JSON.parse(line) as { msg?: string; address?: string };
        if (parsed.msg === readyMessage && typeof parsed.address === 'string') resolve(parsed.address);
      } catch {
        // Not a JSON log line: kept in the output.
      }
    });
    void exited.then((how) => reject(new Error(`${script} exited (${how}) before it was ready:\n${output.join('\n')}`)));
  });
  return {
    child,
    address,
    output,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON request to a running service. */
export async function request(address: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${address}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}
