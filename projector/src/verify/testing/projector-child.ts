/**
 * A projector process for the crash and takeover tests: one runner per read model (and the
 * tally, when asked), against IWF_TEST_DATABASE_URL, until SIGTERM (clean stop, exit 0).
 * Tests SIGKILL it at random points. IWF_LOCK_RETRY_MS sets how often a standby tries to
 * take over; IWF_TALLY=1 adds the tally projection.
 */
import pg from 'pg';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { projections } from '../../read-models.js';
import { ProjectionRunner } from '../../runner/runner.js';
import { tallyProjection } from './tally.js';

async function main(): Promise<void> {
  const url = process.env['IWF_TEST_DATABASE_URL'];
  if (!url) throw new Error('IWF_TEST_DATABASE_URL is required');
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  pool.on('error', () => undefined);
  const store = createPostgresEventStore({ pool, connectionString: url, timing: { pollMs: 100 }, onError: () => undefined });
  const chosen = process.env['IWF_TALLY'] === '1' ? [...projections, tallyProjection] : projections;
  const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`) };
  const runners = chosen.map(
    (projection) =>
      new ProjectionRunner({
        projection,
        store,
        pool,
        cache: createMemoryCache(),
        logger: quiet,
        batchSize: Number(process.env['IWF_BATCH_SIZE'] ?? 500),
        lockRetryMs: Number(process.env['IWF_LOCK_RETRY_MS'] ?? 1000),
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
