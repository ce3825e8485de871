import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// vite-node ships with vitest; it runs the TypeScript member with the workspace aliases.
const VITE_NODE = createRequire(require.resolve('vitest/package.json')).resolve('vite-node/vite-node.mjs');
const CONFIG = fileURLToPath(new URL('../../../../vitest.config.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./member.ts', import.meta.url));

export interface MemberProcess {
  readonly child: ChildProcess;
  /** Resolves once the member has joined the group's consumer loop. */
  readonly started: Promise<void>;
  readonly exited: Promise<number | NodeJS.Signals>;
  /** Events this member committed so far. */
  applied(): number;
  /** Of those, events the probe projection's checkpoint already covered (not handed to it). */
  covered(): number;
  stderr(): string;
}

export interface MemberSettings {
  readonly databaseUrl: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly group: string;
  readonly sessionTimeoutMs?: number;
}

export function spawnMember(settings: MemberSettings): MemberProcess {
  const child = spawn(process.execPath, [VITE_NODE, '--root', ROOT, '--config', CONFIG, SCRIPT], {
    cwd: ROOT,
    env: {
      ...process.env,
      IWF_TEST_DATABASE_URL: settings.databaseUrl,
      IWF_KAFKA_BROKERS: settings.brokers.join(','),
      IWF_KAFKA_TOPIC: settings.topic,
      IWF_KAFKA_GROUP: settings.group,
      IWF_SESSION_TIMEOUT_MS: String(settings.sessionTimeoutMs ?? 6_000),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let applied = 0;
  let covered = 0;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const started = new Promise<void>((resolve, reject) => {
    void exited.then((how) => reject(new Error(`member exited (${String(how)}) before starting: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'started') resolve();
      const match = /^applied (\d+) (\d+)$/.exec(line);
      if (match) {
        applied += Number(match[1]);
        covered += Number(match[2]);
      }
    });
  });
  started.catch(() => undefined);
  return { child, started, exited, applied: () => applied, covered: () => covered, stderr: () => stderr };
}
