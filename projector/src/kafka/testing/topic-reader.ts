import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface ReadMessage {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** The partitions' high watermarks: how many messages each holds (offsets start at 0 here). */
export async function highWatermarks(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads every message the topics hold now, each partition in offset order. One consumer reads
 * them all: joining a group costs seconds on the mock cluster.
 */
export async function readTopics(kafka: Kafka, topics: readonly string[], timeoutMs = 60_000): Promise<Map<string, ReadMessage[]>> {
  const heads = new Map<string, Map<number, bigint>>();
  let total = 0n;
  for (const topic of topics) {
    const marks = await highWatermarks(kafka, topic);
    heads.set(topic, marks);
    total += [...marks.values()].reduce((sum, high) => sum + high, 0n);
  }
  const read = new Map<string, ReadMessage[]>(topics.map((topic) => [topic, []]));
  let count = 0n;
  if (total > 0n) {
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      let resolveAll: () => void = () => undefined;
      const all = new Promise<void>((resolve) => (resolveAll = resolve));
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          if (BigInt(message.offset) >= (heads.get(topic)?.get(partition) ?? 0n)) return;
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(Array.isArray(value) ? value[0] : value)]));
          read.get(topic)?.push({ partition, offset: BigInt(message.offset), key: String(message.key), value: String(message.value), headers });
          count += 1n;
          if (count >= total) resolveAll();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`read ${count} of ${total} messages`)), timeoutMs)))]);
      clearTimeout(timer);
    } finally {
      await consumer.disconnect();
    }
  }
  for (const messages of read.values()) messages.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1));
  return read;
}

export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<ReadMessage[]> {
  return (await readTopics(kafka, [topic], timeoutMs)).get(topic) ?? [];
}
