import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import type { Cache } from '@iwf/platform/cache/cache';
import type { ScaleOutConfig } from '@iwf/platform/config/scale-out';
import { migrateUp } from '@iwf/platform/db/migrations';
import { traceProjection } from '@iwf/platform/observability/tracing/projection';
import { projections } from '../read-models.js';
import { backoffDelay } from '../runner/errors.js';
import type { RunnerLogger } from '../runner/logger.js';
import type { Projection } from '../runner/projection.js';
import { createKafka } from './client.js';
import { KafkaGroupProjector } from './consumer/group-projector.js';
import { kafkaMigrations } from './migrations.js';
import { KafkaRelay } from './relay/relay.js';

export interface KafkaRoleOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly logger: RunnerLogger;
  readonly kafka: ScaleOutConfig['kafka'];
  readonly projections?: readonly Projection[];
  /** Reports consumer lag per partition (observability's `kafkaLag`). */
  readonly onLag?: (group: string, topic: string, partition: number, lag: number) => void;
}

export interface KafkaRole {
  /** This process's relay candidate (one relay is active across processes), if KAFKA_RELAY=on. */
  readonly relay: KafkaRelay | undefined;
  readonly group: KafkaGroupProjector;
  close(): Promise<void>;
}

/**
 * The projector fed by Kafka (PROJECTOR_SOURCE=kafka): a relay candidate publishing the store
 * to the topics, and this process's member of the projector consumer group. Starting waits out
 * a Kafka or database that is not there yet, retrying in the background.
 */
export function startKafkaRole(options: KafkaRoleOptions): KafkaRole {
  const { logger } = options;
  const kafka = createKafka({ brokers: options.kafka.brokers, clientId: options.kafka.clientId }, logger);
  const group = new KafkaGroupProjector({
    kafka,
    pool: options.pool,
    cache: options.cache,
    projections: (options.projections ?? projections).map((projection) => traceProjection(projection)),
    topic: options.kafka.topics.events,
    group: options.kafka.groupId,
    logger,
    onLag: options.onLag,
  });
  let closed = false;
  let relay: KafkaRelay | undefined;
  const started = (async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await migrateUp(options.pool, kafkaMigrations);
        if (options.kafka.relay) relay ??= new KafkaRelay({ store: options.store, pool: options.pool, kafka, topics: options.kafka.topics, idempotent: options.kafka.idempotent, logger });
        await group.start();
        return;
      } catch (error) {
        logger.warn({ err: error, attempt }, 'kafka projector could not start; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, 500, 10_000)));
      }
    }
  })();
  return {
    get relay() {
      return relay;
    },
    group,
    async close() {
      closed = true;
      // First, as it also ends a start that waits for a rebuild.
      await group.stop();
      await started;
      await relay?.stop();
    },
  };
}
