/**
 * Runs the workflows projection against one database until SIGTERM (clean stop, exit 0).
 * The crash test starts it as a child process and SIGKILLs it mid-run.
 * Env: IWF_TEST_DATABASE_URL (store and read models), IWF_BATCH_SIZE, and IWF_APPLY_DELAY_MS:
 * a pause after each batch is applied and before it commits, which widens the window in
 * which a kill finds a transaction open with the batch written but not committed.
 */
import pg from 'pg';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { workflowsProjection } from '../../workflows/projection.js';
import type { Projection } from '../projection.js';
import { ProjectionRunner } from '../runner.js';

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
  const url = process.env['IWF_TEST_DATABASE_URL'];
  if (!url) throw new Error('IWF_TEST_DATABASE_URL is required');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const store = createPostgresEventStore({ pool, connectionString: url, timing: { pollMs: 100 } });
  const runner = new ProjectionRunner({
    projection: withPause(workflowsProjection, Number(process.env['IWF_APPLY_DELAY_MS'] ?? 0)),
    store,
    pool,
    cache: createMemoryCache(),
    batchSize: Number(process.env['IWF_BATCH_SIZE'] ?? 500),
  });
  process.once('SIGTERM', () => void runner.stop());
  try {
    await runner.done;
  } finally {
    await store.close();
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`run-projector failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
