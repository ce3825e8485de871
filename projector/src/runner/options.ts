import type pg from 'pg';
import type { EventStore, RecordedEvent } from '@iwf/contracts';
import type { Cache } from '@iwf/platform/cache/cache';
import type { CacheWriterOptions } from './cache-writer.js';
import type { RunnerLogger } from './logger.js';
import type { Projection } from './projection.js';

export interface RunnerOptions {
  readonly projection: Projection;
  readonly store: EventStore;
  /** The read-model database; the runner holds one of its connections for the lock. */
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly logger?: RunnerLogger;
  readonly batchSize?: number;
  /** How often a standby tries to take the lock. */
  readonly lockRetryMs?: number;
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly cacheWriter?: CacheWriterOptions;
  /** Brings an old event schema up to date before handlers see it; the event registry's by default. */
  readonly upcast?: (event: RecordedEvent) => RecordedEvent;
  /**
   * What an event the projection cannot apply does: `park` (default) records it in
   * `iwf_read.parked_events`, holds back the rest of its stream and carries on; `stop` fails the runner.
   */
  readonly poison?: 'park' | 'stop';
  /** Rebuild blue/green when the stored model has another version (default); false refuses to start. */
  readonly rebuildOnVersionChange?: boolean;
  /** How often the head of the log is sampled for `lag_seconds`. */
  readonly statusIntervalMs?: number;
}
