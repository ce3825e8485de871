/**
 * A projector process for the crash and takeover tests, which SIGKILL it at random points:
 * one runner per chosen projection against IWF_TEST_DATABASE_URL, until SIGTERM (clean stop,
 * exit 0; a failure exits 1 with its stack on stderr). Env, all optional but the URL:
 * - IWF_PROJECTIONS: read models to run, by name, comma-separated (default: every one);
 *   IWF_TALLY=1 adds the tally projection.
 * - IWF_BATCH_SIZE (500), IWF_POOL_SIZE (16), IWF_LOCK_RETRY_MS (1000): how often a standby
 *   tries to take over.
 * - IWF_APPLY_DELAY_MS (0): a pause after each batch is applied and before it commits, which
 *   widens the window in which a kill finds a batch written but not committed.
 * - IWF_LOG: `errors` (default) writes only the runners' errors and drops errors of the
 *   store's listener and of idle connections; `all` writes the runners' whole log and leaves
 *   those errors to their defaults (a warning; the end of the process).
 */
import pg from 'pg';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { projections } from '../../read-models.js';
import type { RunnerLogger } from '../../runner/logger.js';
import { stderrLogger } from '../../runner/logger.js';
import type { Projection } from '../../runner/projection.js';
import { ProjectionRunner } from '../../runner/runner.js';
import { tallyProjection } from './tally.js';

interface ChildSettings {
  readonly url: string;
  readonly projections: readonly Projection[];
  readonly batchSize: number;
  readonly poolSize: number;
  readonly lockRetryMs: number;
  readonly applyDelayMs: number;
  readonly logAll: boolean;
}

function readSettings(env: NodeJS.ProcessEnv): ChildSettings {
  const url = env['IWF_TEST_DATABASE_URL'];
  if (!url) throw new Error('IWF_TEST_DATABASE_URL is required');
  const log = env['IWF_LOG'] ?? 'errors';
  if (log !== 'errors' && log !== 'all') throw new Error(`IWF_LOG must be errors or all (got ${JSON.stringify(log)})`);
  const chosen = chooseProjections(env['IWF_PROJECTIONS']);
  return {
    url,
    projections: env['IWF_TALLY'] === '1' ? [...chosen, tallyProjection] : chosen,
    batchSize: integer(env, 'IWF_BATCH_SIZE', 500, 1),
    poolSize: integer(env, 'IWF_POOL_SIZE', 16, 1),
    lockRetryMs: integer(env, 'IWF_LOCK_RETRY_MS', 1000, 1),
    applyDelayMs: integer(env, 'IWF_APPLY_DELAY_MS', 0, 0),
    logAll: log === 'all',
  };
}

function chooseProjections(names: string | undefined): readonly Projection[] {
  if (!names) return projections;
  return names.split(',').map((name) => {
    const projection = projections.find((candidate) => candidate.name === name.trim());
    if (!projection) throw new Error(`IWF_PROJECTIONS: no projection named ${JSON.stringify(name)}`);
    return projection;
  });
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${name} must be an integer of at least ${minimum} (got ${JSON.stringify(raw)})`);
  return value;
}

const errorsOnly: RunnerLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: (fields, message) => void process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
};

function withPause(projection: Projection, ms: number): Projection {
  if (ms <= 0) return projection;
  return {
    ...projection,
    async apply(tx, events) {
      const updates = await projection.apply(tx, events);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return updates;
    },
  };
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize });
  const ignore = (): undefined => undefined;
  if (!settings.logAll) pool.on('error', ignore);
  const store = createPostgresEventStore({ pool, connectionString: settings.url, timing: { pollMs: 100 }, onError: settings.logAll ? undefined : ignore });
  const runners = settings.projections.map(
    (projection) =>
      new ProjectionRunner({
        projection: withPause(projection, settings.applyDelayMs),
        store,
        pool,
        cache: createMemoryCache(),
        logger: settings.logAll ? stderrLogger : errorsOnly,
        batchSize: settings.batchSize,
        lockRetryMs: settings.lockRetryMs,
      }),
  );
  process.once('SIGTERM', () => void Promise.all(runners.map((runner) => runner.stop())));
  try {
    await Promise.all(runners.map((runner) => runner.done));
  } finally {
    await store.close();
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`projector-child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
