import { Redis } from 'ioredis';
import { createRedisCache, type Cache } from '@iwf/platform/cache/index';
import { loadConfig } from '@iwf/platform/config/config';
import { UsageError } from '../../cli/command.js';
import { commands } from '../../cli/commands.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs an `iwf` command in this process, as `main` would (usage errors exit 2, failures 1),
 * with the given environment and its output captured. Faster than a process per run; the
 * crash and chain tests run the real binary too.
 */
export async function iwf(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  try {
    const [name, ...rest] = args;
    const command = commands.find((candidate) => candidate.name === name);
    if (!command) return { code: 2, stdout, stderr: `unknown command ${String(name)}` };
    const code = await command.run(rest).catch((error: unknown) => {
      stderr += `iwf: ${error instanceof Error ? error.message : String(error)}\n`;
      return error instanceof UsageError ? 2 : 1;
    });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const TOOLING_REDIS_URL = 'redis://127.0.0.1:6379/12';

/** The environment the tooling needs: the test database and a Redis database of its own. */
export const toolingEnv = (databaseUrl: string): Record<string, string> => ({ DATABASE_URL: databaseUrl, REDIS_URL: TOOLING_REDIS_URL });

/**
 * The Redis cache a service configured like `env` uses (its CACHE_NAMESPACE), or with another
 * namespace; `close` ends the connection.
 */
export function serviceCache(env: Readonly<Record<string, string>>, namespace = loadConfig(env).cacheNamespace): Cache & { close(): Promise<void> } {
  const redis = new Redis(env['REDIS_URL'] ?? TOOLING_REDIS_URL);
  return { ...createRedisCache(redis, { namespace }), close: async () => void (await redis.quit()) };
}
