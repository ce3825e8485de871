import { formatPosition } from '@iwf/contracts';
import { CACHE_PREFIX } from '@iwf/platform/cache/cache';
import { createLogger } from '@iwf/platform/logging/logger';
import { connectCache } from '@iwf/platform/redis/connect';
import { rebuildProjection } from '../rebuild/rebuild.js';
import type { Projection } from '../runner/projection.js';
import type { Tooling } from '../verify/tooling.js';
import { countEvents, selectProjections, withTooling } from '../verify/tooling.js';
import { parseOptions, UsageError, type CliCommand } from './command.js';
import { Progress, progressWanted } from './progress.js';

export const rebuildCommand: CliCommand = {
  name: 'rebuild',
  summary: 'Rebuild read models blue/green from the log and swap them in',
  usage: `Usage: iwf rebuild <projection>... | --all [--batch-size N] [--progress]

Replays the whole log into copies of the model's tables beside the live ones, catches up
to the head, then swaps the copies in and moves the checkpoint in one transaction, and
drops the old tables. Queries keep reading the live model throughout and never see a
half-built one; a running projector pauses for the swap and resumes from the new
checkpoint. The projection's cache entries are cleared afterwards.
With PROJECTOR_SOURCE=kafka the consumer group's batches pause for the swap too; after
it, the group leaves out the events at or below the new checkpoint for that model and
applies the rest, whatever its partitions' offsets.

  --all           every read model, one after another
  --batch-size N  events per replayed page (default 2000)
  --progress      show progress on stderr even when it is not a terminal

Exit codes: 0 rebuilt, 1 a rebuild failed, 2 usage error.`,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { all: { type: 'boolean', default: false }, 'batch-size': { type: 'string' }, progress: { type: 'boolean' } },
      true,
    );
    const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) throw new UsageError('--batch-size takes a positive whole number');
    const selected = selectProjections(positionals, values.all);
    return withTooling(async (tooling) => {
      for (const projection of selected) await rebuildOne(tooling, projection, batchSize, progressWanted(values.progress));
      return 0;
    });
  },
};

async function rebuildOne(tooling: Tooling, projection: Projection, batchSize: number | undefined, showProgress: boolean): Promise<void> {
  const total = await countEvents(tooling.pool);
  const progress = new Progress({ label: `rebuild ${projection.name}`, unit: 'events', total, enabled: showProgress });
  const result = await rebuildProjection({
    pool: tooling.pool,
    store: tooling.store,
    projection,
    batchSize,
    onBatch: (events) => progress.update(events),
  });
  progress.finish(result.events);
  await clearCache(tooling, projection);
  const rate = Math.round(result.events / Math.max(result.seconds, 1e-3));
  const at = result.position ? formatPosition(result.position) : 'the start of the log';
  process.stdout.write(
    `rebuilt ${projection.name} v${result.version}: ${result.events} events in ${result.seconds.toFixed(1)} s (${rate} events/s), ` +
      `${result.parked} parked, swapped in at ${at}\n`,
  );
}

/** The rebuilt model may differ from what was cached (that is often why it was rebuilt). */
async function clearCache(tooling: Tooling, projection: Projection): Promise<void> {
  if (projection.cacheKinds.length === 0) return;
  const { cacheNamespace, redisUrl } = tooling.config;
  const connection = await connectCache(redisUrl, createLogger({ level: 'silent', name: 'iwf-rebuild' }), { namespace: cacheNamespace, whenUnreachable: 'memory' });
  try {
    if (connection.redis) for (const kind of projection.cacheKinds) await connection.cache.clearPrefix(`${CACHE_PREFIX}*:${kind}:`);
    else process.stderr.write(`iwf rebuild: Redis did not answer; delete its ${projection.cacheKinds.map((kind) => `${cacheNamespace}:${CACHE_PREFIX}*:${kind}:*`).join(' and ')} keys\n`);
  } finally {
    await connection.close();
  }
}
