import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import type { Cache } from '@iwf/platform/cache/cache';
import type { ScaleOutConfig } from '@iwf/platform/config/scale-out';
import { traceProjection } from '@iwf/platform/observability/tracing/projection';
import type { KafkaRole } from '../kafka/role.js';
import { startKafkaRole } from '../kafka/role.js';
import type { RunnerLogger } from '../runner/logger.js';
import { startProjection, type ProjectionRunner } from '../runner/runner.js';
import { projections } from '../read-models.js';

export interface ProjectorRole {
  /** The store-fed runners; none when the projector reads Kafka. */
  readonly runners: readonly ProjectionRunner[];
  /** Relay and consumer-group member when PROJECTOR_SOURCE=kafka. */
  readonly kafka?: KafkaRole | undefined;
  close(): Promise<void>;
}

/**
 * Starts one runner per projection (each becomes active or waits as a standby), or, with
 * PROJECTOR_SOURCE=kafka, this process's relay candidate and consumer-group member.
 */
export function startProjectorRole(options: {
  store: EventStore;
  pool: pg.Pool;
  cache: Cache;
  logger: RunnerLogger;
  scaleOut?: ScaleOutConfig;
  /** Kafka consumer lag per partition, when PROJECTOR_SOURCE=kafka. */
  onKafkaLag?: (group: string, topic: string, partition: number, lag: number) => void;
}): ProjectorRole {
  const { scaleOut, onKafkaLag, ...common } = options;
  if (scaleOut?.projectorSource === 'kafka') {
    const kafka = startKafkaRole({ ...common, kafka: scaleOut.kafka, onLag: onKafkaLag });
    return { runners: [], kafka, close: () => kafka.close() };
  }
  // Each batch and each traced event gets a span (no-ops while tracing is off).
  const runners = projections.map((projection) => startProjection({ projection: traceProjection(projection), ...common }));
  return {
    runners,
    close: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
