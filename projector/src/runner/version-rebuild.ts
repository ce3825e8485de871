import { rebuildProjection } from '../rebuild/rebuild.js';
import type { Checkpoint } from './checkpoints.js';
import { readCheckpoint } from './checkpoints.js';
import type { RunnerLogger } from './logger.js';
import type { RunnerOptions } from './options.js';

/**
 * The model on disk was built by another version of the projection: builds this version
 * beside it, swaps it in (blue/green) and returns the new checkpoint. Refuses when the
 * projection cannot be rebuilt (no tables declared) or rebuilding on start is turned off.
 */
export async function rebuildStoredVersion(
  options: RunnerOptions,
  stored: Checkpoint,
  logger: RunnerLogger,
  signal: AbortSignal,
  onProgress: (ratio: number) => void,
): Promise<Checkpoint> {
  const { projection, pool, store } = options;
  const versions = { projection: projection.name, stored_version: stored.version, version: projection.version };
  if (options.rebuildOnVersionChange === false || !projection.tables?.length) {
    throw new Error(`projection ${projection.name} is stored at version ${stored.version}, code is at ${projection.version}: run iwf rebuild ${projection.name}`);
  }
  logger.info(versions, 'projection version changed; rebuilding it beside the live model');
  const park = (options.poison ?? 'park') === 'park';
  // Progress against the log's size when the rebuild began; events appended since may push it past 1 briefly.
  const total = Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.events')).rows[0]?.n ?? 0);
  const onBatch = (events: number): void => onProgress(total === 0 ? 1 : Math.min(events / total, 1));
  const result = await rebuildProjection({ pool, store, projection, upcast: options.upcast, park, signal, onBatch });
  logger.info({ ...versions, events: result.events, parked: result.parked, seconds: result.seconds }, 'projection rebuilt and swapped in');
  const checkpoint = await readCheckpoint(pool, projection.name);
  if (!checkpoint) throw new Error(`checkpoint of ${projection.name} vanished after its rebuild`);
  return checkpoint;
}
