import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root; the services run from their built output, as the images run them. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export { freePort } from '@iwf/platform/testing/ports';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  readonly output: string[];
  /** Stops with SIGTERM and waits; SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Polled until it answers 200; the process is ready then. */
  readonly readyUrl?: string;
  readonly timeoutMs?: number;
  /** A file descriptor for the process's stdout instead of a pipe. */
  readonly stdout?: number;
}

/** Starts a process and, with `readyUrl`, waits until that URL answers 200. */
export async function start(options: StartOptions): Promise<Started> {
  if (options.command === process.execPath) {
    const script = options.args.find((arg) => arg.endsWith('.js'));
    if (script && !existsSync(resolve(options.cwd ?? ROOT, script))) throw new Error(`${script} is missing: build first (pnpm exec tsc -b), as the test command does`);
  }
  const child = spawn(options.command, options.args, { cwd: options.cwd ?? ROOT, env: options.env, stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started: Started = {
    name: options.name,
    child,
    output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (options.readyUrl) {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${options.name} exited (${child.exitCode}) before it was ready:\n${output.join('')}`);
      const status = await fetch(options.readyUrl).then((response) => response.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) {
        await started.stop(1_000);
        throw new Error(`${options.name} did not answer 200 on ${options.readyUrl} in time:\n${output.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return started;
}

/** Runs a command to completion; rejects with its output unless it exits 0. */
export async function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): Promise<string> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const text = output.join('');
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${text}`);
  return text;
}
