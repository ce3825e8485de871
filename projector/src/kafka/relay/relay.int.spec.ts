import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, decodeEvent } from '../codec.js';
import { readRelayCheckpoint } from '../offsets.js';
import { partitionFor } from '../partitioner.js';
import type { KafkaTestbed } from '../testing/fixture.js';
import { createKafka } from '../client.js';
import { EVENT_PARTITIONS, createKafkaTestbed, sleep, waitFor } from '../testing/fixture.js';
import { kafkaBackends } from '../testing/backends.js';
import { readTopic, readTopics } from '../testing/topic-reader.js';
import { appendInterleaved } from '../testing/workload.js';
import { KafkaRelay } from './relay.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function integrationEvent(type: 'record.create_requested' | 'record.update_requested', n: number): NewEvent {
  return { event_id: randomUUID(), type, data: { entity: 'invoice', entity_id: `inv-${n}`, data: { n } }, metadata: { tenant: 'tenant-k', actor: 'system:engine', correlation_id: randomUUID(), traceparent: TRACEPARENT } };
}

/** Every stream's revisions in the order its partition holds them, and the partitions each stream used. */
function streamsOf(messages: readonly { partition: number; value: string }[]): Map<string, { revisions: number[]; partitions: Set<number> }> {
  const streams = new Map<string, { revisions: number[]; partitions: Set<number> }>();
  for (const message of messages) {
    const event = decodeEvent(message.value, 'test');
    const entry = streams.get(event.stream_id) ?? { revisions: [], partitions: new Set<number>() };
    entry.revisions.push(event.stream_revision);
    entry.partitions.add(message.partition);
    streams.set(event.stream_id, entry);
  }
  return streams;
}

/** Revisions with repeats (a batch sent again after a failed attempt) removed, keeping first arrivals. */
const firstArrivals = (revisions: readonly number[]): number[] => revisions.filter((revision, index) => revisions.indexOf(revision) === index);

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('Kafka relay ($description)', (backend) => {
  let bed: KafkaTestbed;
  beforeAll(async () => {
    if (backend.available) bed = await createKafkaTestbed('kafka_relay', backend);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it.skipIf(!backend.available)('publishes each event once, keyed by stream on its Java partition and in revision order, with headers; integration events on their own topic', async () => {
    const { store, pool, kafka, topics, logger } = bed;
    const last = await appendInterleaved(store, { workflows: 60, eventsPerWorkflow: 10, perAppend: 2, writers: 6, tenant: 'tenant-r' });
    const integration = [integrationEvent('record.create_requested', 1), integrationEvent('record.update_requested', 2)];
    await store.append('integration:tenant-k:invoice', integration, 'any');
    const appended = 60 * 10 + integration.length;
    const relay = new KafkaRelay({ store, pool, kafka, topics, idempotent: bed.idempotent, logger, batchSize: 100 });
    try {
      await waitFor(() => relay.status().events_relayed >= appended, 30_000, () => JSON.stringify(relay.status(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    } finally {
      await relay.stop();
    }
    // Read after relaying: a fresh append can sit beyond the visibility horizon for a moment.
    const all = await store.readAll({ max_count: 10_000 });
    expect(all).toHaveLength(appended);
    expect((await readRelayCheckpoint(pool, 'default')).position).toEqual(all.at(-1)?.position);

    const read = await readTopics(kafka, [topics.events, topics.integration]);
    const messages = read.get(topics.events) ?? [];
    expect(messages).toHaveLength(all.length - integration.length);
    for (const message of messages) {
      const event = decodeEvent(message.value, 'test');
      expect(message.key).toBe(event.stream_id);
      expect(message.partition).toBe(partitionFor(event.stream_id, EVENT_PARTITIONS));
      expect(message.headers).toMatchObject({ [HEADERS.eventId]: event.event_id, [HEADERS.eventType]: event.type, [HEADERS.schemaVersion]: String(event.schema_version) });
    }
    const streams = streamsOf(messages);
    expect(streams.size).toBe(last.size);
    for (const [stream, { revisions, partitions }] of streams) {
      expect(partitions.size).toBe(1);
      expect(revisions).toEqual(Array.from({ length: (last.get(stream) ?? -1) + 1 }, (_, n) => n));
    }

    const published = read.get(topics.integration) ?? [];
    expect(published.map((message) => decodeEvent(message.value, 'test').event_id).sort()).toEqual(integration.map((event) => event.event_id).sort());
    expect(published.every((message) => message.headers[HEADERS.traceparent] === TRACEPARENT)).toBe(true);
    expect(published.every((message) => message.key === 'integration:tenant-k:invoice')).toBe(true);
    // All in one stream, so all on one partition and in order.
    expect(published.map((message) => decodeEvent(message.value, 'test').stream_revision)).toEqual([0, 1]);
  });

  it.skipIf(!backend.available)('holds its checkpoint at what the brokers acknowledged while one is down for 10 s, and loses nothing', async () => {
    const { store, pool, kafka, topics, cluster, logger } = bed;
    const before = await store.headPosition();
    const writing = appendInterleaved(store, { workflows: 30, eventsPerWorkflow: 60, perAppend: 1, writers: 3, tenant: 'tenant-o' });
    // Its own client with short timeouts and one retry of its own: a produce request lost with
    // the broker fails within about 12 s (each attempt may wait out the request timeout), not
    // the default client's 60 s and more, so the relay sees the outage inside the wait below.
    const impatient = createKafka({ brokers: cluster.brokers, clientId: 'relay-outage', connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000, retries: 1 }, logger);
    let relay = new KafkaRelay({ store, pool, kafka: impatient, topics, idempotent: bed.idempotent, logger, batchSize: 50, retry: { initialMs: 50, maxMs: 500 } });
    try {
      const earlier = (await readRelayCheckpoint(pool, 'default')).relayed;
      await waitFor(() => relay.status().events_relayed > earlier + 200, 30_000, () => 'relay made no progress');
      await cluster.brokerDown(2);
      const outageStarted = Date.now();
      // Writes go on during the outage, to every partition, whether or not the first writer is done.
      const duringOutage = appendInterleaved(store, { workflows: 30, eventsPerWorkflow: 4, perAppend: 1, writers: 3, tenant: 'tenant-p' });
      // The client retries a lost broker itself (with back-off) before the relay sees a failure.
      await waitFor(() => relay.status().state === 'retrying', 60_000, () => `relay state ${relay.status().state}`);
      await sleep(Math.max(0, 10_000 - (Date.now() - outageStarted) - 1_000));
      // A crash during the outage: whatever the checkpoint claims must already be on Kafka.
      await relay.stop();
      const claimed = (await readRelayCheckpoint(pool, 'default')).position!;
      await sleep(Math.max(0, 10_000 - (Date.now() - outageStarted)));
      await cluster.brokerUp(2);
      const onKafka = new Set((await readTopic(kafka, topics.events)).map((message) => decodeEvent(message.value, 'test').event_id));
      const acknowledged = (await store.readAll({ after: before, max_count: 100_000 })).filter((event) => comparePositions(event.position, claimed) <= 0);
      expect(acknowledged.length).toBeGreaterThan(200);
      expect(acknowledged.filter((event) => !onKafka.has(event.event_id))).toEqual([]);

      relay = new KafkaRelay({ store, pool, kafka, topics, idempotent: bed.idempotent, logger, batchSize: 50 });
      await Promise.all([writing, duringOutage]);
      // Counted in the table: a read of the log may not see the newest appends for a moment yet.
      const total = Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.events')).rows[0]?.n);
      await waitFor(async () => (await readRelayCheckpoint(pool, 'default')).relayed >= total, 60_000, () => JSON.stringify(relay.status().state));
    } finally {
      // Stopped on every path, so no relay outlives the test bed's pool.
      await relay.stop();
    }
    const expected: RecordedEvent[] = await store.readAll({ after: before, max_count: 100_000 });
    expect(expected.length).toBeGreaterThanOrEqual(30 * 60 + 30 * 4);
    const messages = await readTopic(kafka, topics.events);
    const ids = new Set(messages.map((message) => decodeEvent(message.value, 'test').event_id));
    expect(expected.filter((event) => !ids.has(event.event_id))).toEqual([]);
    for (const [stream, { revisions, partitions }] of streamsOf(messages)) {
      expect(partitions, stream).toEqual(new Set([partitionFor(stream, EVENT_PARTITIONS)]));
      expect(firstArrivals(revisions), stream).toEqual([...firstArrivals(revisions)].sort((a, b) => a - b));
    }
  }, 200_000); // the outage alone is 10 s, and each wait is bounded on its own
});
