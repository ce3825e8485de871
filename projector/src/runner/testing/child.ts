import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// vite-node ships with vitest; it runs the TypeScript sources with the workspace aliases.
const VITE_NODE = createRequire(require.resolve('vitest/package.json')).resolve('vite-node/vite-node.mjs');
const CONFIG = fileURLToPath(new URL('../../../../vitest.config.ts', import.meta.url));
// Rooted in the package, so its own dependencies (pg) resolve as they do for vitest.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./run-projector.ts', import.meta.url));

/** The child's connections carry this application_name (PGAPPNAME), so tests can find its sessions. */
export const CHILD_APPLICATION_NAME = 'iwf-projector-child';

export interface ProjectorProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
  readonly stderr: () => string;
}

export function spawnProjector(databaseUrl: string, batchSize: number, applyDelayMs = 0): ProjectorProcess {
  const child = spawn(process.execPath, [VITE_NODE, '--root', ROOT, '--config', CONFIG, SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, PGAPPNAME: CHILD_APPLICATION_NAME, IWF_TEST_DATABASE_URL: databaseUrl, IWF_BATCH_SIZE: String(batchSize), IWF_APPLY_DELAY_MS: String(applyDelayMs) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? -1));
  });
  return { child, exited, stderr: () => stderr };
}
