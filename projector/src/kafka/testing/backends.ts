import { containerEngine } from '@iwf/command-service/event-store/kurrentdb/testing/container-engine';
import { KAFKA_IMAGE, startKafkaContainer } from './kafka-container.js';
import type { TestKafkaCluster } from './mock-cluster.js';
import { MOCK_BINARY, mockClusterAvailable, startMockCluster } from './mock-cluster.js';

/** Where a Kafka test can run: the mock cluster (built by setup), and real Kafka where containers run. */
export interface KafkaBackend {
  readonly name: 'mock' | 'container';
  readonly available: boolean;
  /** Goes into the suite's name, so a skipped run says why. */
  readonly description: string;
  /** Real brokers support kafkajs's idempotent producer; the mock names no controller for it. */
  readonly idempotent: boolean;
  start(): Promise<TestKafkaCluster>;
}

export async function kafkaBackends(): Promise<KafkaBackend[]> {
  const engine = await containerEngine();
  const mock = mockClusterAvailable();
  return [
    {
      name: 'mock',
      available: mock,
      description: mock ? 'librdkafka mock cluster, 3 brokers' : `librdkafka mock cluster not built (${MOCK_BINARY}; scripts/setup.sh builds it)`,
      idempotent: false,
      start: () => startMockCluster(3),
    },
    {
      name: 'container',
      available: engine.available,
      description: `${KAFKA_IMAGE} via testcontainers; ${engine.reason}`,
      idempotent: true,
      start: () => startKafkaContainer(),
    },
  ];
}
