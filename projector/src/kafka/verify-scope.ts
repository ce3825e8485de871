import type pg from 'pg';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { readGroupWatermark, readPartitionProgress } from './offsets.js';
import { partitionFor } from './partitioner.js';
import { isIntegrationEvent } from './topics.js';

/** The consumer group feeding the projections in Kafka mode (KAFKA_GROUP_ID, KAFKA_EVENTS_TOPIC). */
export interface KafkaSource {
  readonly group: string;
  readonly topic: string;
}

/** Which events a Kafka-fed model holds: the log up to `until`, those `include` accepts. */
export interface KafkaScope {
  readonly until: LogPosition | undefined;
  readonly include: ((event: RecordedEvent) => boolean) | undefined;
}

const UNDEFINED_TABLE = '42P01';

/**
 * A Kafka-fed model holds every event at or below its checkpoint, and, since partitions are
 * applied independently, in each partition also the events at or below the highest position
 * applied there (the relay sends in log order; see consumer/watermark.ts). Read inside the
 * caller's snapshot, where offsets and model rows commit together, this is exactly the set of
 * events in the live model. A stream's partition is the relay's: murmur2 of the stream id over
 * the partition count the group's watermark was computed with.
 */
export async function kafkaScope(tx: Pick<pg.ClientBase, 'query'>, source: KafkaSource, checkpoint: LogPosition | undefined): Promise<KafkaScope> {
  const progress = await readPartitionProgress(tx, source.group, source.topic).catch((error: { code?: string }) => {
    if (error.code === UNDEFINED_TABLE) throw new Error('this database holds no Kafka consumer state (schema iwf_kafka); is PROJECTOR_SOURCE=kafka right?');
    throw error;
  });
  const ahead = new Map<number, LogPosition>();
  for (const [partition, { applied }] of progress) {
    if (applied && (!checkpoint || comparePositions(applied, checkpoint) > 0)) ahead.set(partition, applied);
  }
  if (ahead.size === 0) return { until: checkpoint, include: undefined };
  const watermark = await readGroupWatermark(tx, source.group, source.topic);
  if (!watermark) throw new Error(`consumer group ${source.group} has applied events past the checkpoint but recorded no watermark (partition count) yet; retry once its members have run a watermark round`);
  let until = checkpoint;
  for (const applied of ahead.values()) if (!until || comparePositions(applied, until) > 0) until = applied;
  const include = (event: RecordedEvent): boolean => {
    if (checkpoint && comparePositions(event.position, checkpoint) <= 0) return true;
    if (isIntegrationEvent(event)) return false;
    const applied = ahead.get(partitionFor(event.stream_id, watermark.partitions));
    return applied !== undefined && comparePositions(event.position, applied) <= 0;
  };
  return { until, include };
}
