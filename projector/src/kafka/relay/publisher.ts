import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import type { RecordedEvent } from '@iwf/contracts';
import { traceSend } from '@iwf/platform/observability/tracing/messaging';
import { encodeEvent } from '../codec.js';
import type { KafkaTopics } from '../topics.js';
import { topicOf } from '../topics.js';

export interface PublisherOptions {
  readonly topics: KafkaTopics;
  /**
   * Kafka's idempotent producer (no duplicates from its own retries). Real brokers support it;
   * librdkafka's mock cluster names no controller, which kafkajs needs for it, so tests turn it off.
   */
  readonly idempotent?: boolean;
  /** How long the broker may take to have the batch on every in-sync replica. */
  readonly ackTimeoutMs?: number;
  /**
   * gzip (the default) shrinks JSON events several times over on the wire and on the brokers'
   * disks; it is the codec kafkajs has built in.
   */
  readonly compression?: 'gzip' | 'none';
}

/** Sends batches of events and resolves only once every in-sync replica has them (acks=all). */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly options: PublisherOptions,
  ) {
    this.producer = kafka.producer({
      // Java-compatible murmur2 on the key (see partitioner.ts and its spec).
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: options.idempotent ?? true,
      // One request in flight per broker, so a retried request cannot overtake a later one.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async publish(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      const topic = topicOf(event, this.options.topics);
      const messages = byTopic.get(topic) ?? [];
      messages.push(encodeEvent(event));
      byTopic.set(topic, messages);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    // A PRODUCER span per traced event, in its command's trace (see docs/OBSERVABILITY.md).
    await traceSend(topicMessages, () => this.producer.sendBatch({ topicMessages, acks: -1, timeout: this.options.ackTimeoutMs ?? 30_000, compression: this.options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP }));
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
