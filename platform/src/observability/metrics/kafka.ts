import { Gauge, type Registry } from 'prom-client';

/** What a Kafka consumer reports after it reads committed offsets against the partition heads. */
export type ConsumerLagReporter = (group: string, topic: string, partition: number, lag: number) => void;

/** `iwf_kafka_consumer_lag{group,topic,partition}`: messages a consumer group has yet to read. */
export function registerKafkaMetrics(registry: Registry): ConsumerLagReporter {
  const lag = new Gauge({
    name: 'iwf_kafka_consumer_lag',
    help: 'Messages between a consumer group committed offset and the partition head',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
  });
  return (group, topic, partition, value) => lag.set({ group, topic, partition: String(partition) }, Math.max(0, value));
}
