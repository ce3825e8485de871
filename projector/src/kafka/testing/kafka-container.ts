import { KafkaContainer } from '@testcontainers/kafka';
import { getContainerRuntimeClient } from 'testcontainers';
import { createKafka } from '../client.js';
import type { TestKafkaCluster } from './mock-cluster.js';

/** Confluent's Kafka image (KRaft) that KAFKA_IMAGE names; one broker. */
export const KAFKA_IMAGE = process.env['KAFKA_IMAGE'] ?? 'confluentinc/cp-kafka:7.9.0';

/**
 * A real Kafka broker in a container, for runners with a container engine. The outage here is
 * the whole cluster: the one broker is paused (its connections hang, as a network partition's
 * would) and resumed; broker ids are ignored.
 */
export async function startKafkaContainer(): Promise<TestKafkaCluster> {
  const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
  const docker = (await getContainerRuntimeClient()).container.getById(container.getId());
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return {
    brokers,
    async createTopic(name, partitions) {
      const admin = createKafka({ brokers, clientId: 'topic-admin' }, silent).admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
    },
    brokerDown: async () => void (await docker.pause()),
    brokerUp: async () => void (await docker.unpause()),
    stop: async () => void (await container.stop()),
  };
}
