import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import type { Cache } from '@iwf/platform/cache/cache';
import { traceProjection } from '@iwf/platform/observability/tracing/projection';
import type { RunnerLogger } from '../runner/logger.js';
import { startProjection, type ProjectionRunner } from '../runner/runner.js';
import { projections } from '../read-models.js';

export interface ProjectorRole {
  readonly runners: readonly ProjectionRunner[];
  close(): Promise<void>;
}

/** Starts one runner per projection (each becomes active or waits as a standby). */
export function startProjectorRole(options: { store: EventStore; pool: pg.Pool; cache: Cache; logger: RunnerLogger }): ProjectorRole {
  // Each batch and each traced event gets a span (no-ops while tracing is off).
  const runners = projections.map((projection) => startProjection({ projection: traceProjection(projection), ...options }));
  return {
    runners,
    close: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
