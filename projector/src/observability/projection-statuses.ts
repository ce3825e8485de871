import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import type { ScaleOutConfig } from '@iwf/platform/config/scale-out';
import type { ProjectionStatusLike } from '@iwf/platform/observability/metrics/projector';
import type { Closeable } from '@iwf/platform/runtime/serve';
import { projections } from '../read-models.js';
import type { ProjectorRole } from '../runtime/projector-role.js';
import { holdsFirstPartition, kafkaProjectionStatuses, startKafkaProjectionSampler } from './kafka-projections.js';
import type { ReadModelSampler } from './read-model-sampler.js';
import { statusesWithParked } from './read-model-sampler.js';

export interface ProjectionStatuses extends Closeable {
  /** What the projector metrics read at scrape time; never waits on the database. */
  statuses(): readonly ProjectionStatusLike[];
}

/**
 * The statuses behind the projector metrics: the store-fed runners', or, with
 * PROJECTOR_SOURCE=kafka, each projection's as this member of the group sees it (sampled in the
 * background, see kafka-projections.ts); parked counts from the read-model sampler either way.
 */
export function watchProjectionStatuses(
  role: ProjectorRole,
  options: { pool: pg.Pool; store: Pick<EventStore, 'headPosition' | 'readAll'>; scaleOut?: ScaleOutConfig | undefined; readModels: ReadModelSampler; intervalMs?: number },
): ProjectionStatuses {
  const { kafka } = role;
  const config = options.scaleOut?.kafka;
  if (!kafka || !config) return { name: 'projection statuses', statuses: () => statusesWithParked(role.runners, options.readModels), close: async () => undefined };
  const names = projections.map((projection) => projection.name);
  const sampler = startKafkaProjectionSampler({
    pool: options.pool,
    store: options.store,
    group: config.groupId,
    topic: config.topics.events,
    projections: names,
    intervalMs: options.intervalMs,
    reporting: () => holdsFirstPartition(kafka.group.status()),
  });
  return {
    name: 'projection statuses',
    statuses: () => kafkaProjectionStatuses(names, kafka.group.status(), sampler.latest(), options.readModels.latest()?.parked),
    close: () => sampler.close(),
  };
}
