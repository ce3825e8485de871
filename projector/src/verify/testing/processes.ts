import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { bundle } from './bundle.js';

/** The child's connections carry this application_name, so tests can find its sessions. */
export const CHILD_APPLICATION_NAME = 'iwf-verify-child';

export interface Child {
  readonly process: ChildProcess;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

function start(file: string, args: readonly string[], env: Readonly<Record<string, string>>): Child {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, PGAPPNAME: CHILD_APPLICATION_NAME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('close', (code, signal) => resolve(signal ?? code ?? -1)));
  return { process: child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** A projector process against the database; `env` chooses what it runs (see projector-child.ts). */
export async function startProjector(databaseUrl: string, env: Readonly<Record<string, string>> = {}): Promise<Child> {
  return start(await bundle('./projector-child.ts'), [], { IWF_TEST_DATABASE_URL: databaseUrl, ...env });
}

/** The real `iwf` CLI (its main module) as a process; resolves when it exits. */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<{ code: number | NodeJS.Signals; stdout: string; stderr: string }> {
  const child = start(await bundle('../../cli/main.ts'), args, env);
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}
