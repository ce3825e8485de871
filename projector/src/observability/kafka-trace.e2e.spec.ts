import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@iwf/platform/auth/jwt';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { partitionFor } from '../kafka/partitioner.js';
import { MOCK_BINARY, mockClusterAvailable, startMockCluster, type MockKafkaCluster } from '../kafka/testing/mock-cluster.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './testing/otlp-receiver.js';
import { startService, type RunningService } from './testing/services.js';

const SECRET = 'iwf-observability-kafka-secret-0123456789abcdef';
const TOPICS = { events: 'iwf.events', integration: 'iwf.integration' };
const PARTITIONS = 6;
const GROUP = 'obs-kafka-projector';
// OTLP span kinds.
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

const available = mockClusterAvailable();

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// The projector of PROJECTOR_SOURCE=kafka in its own process: relay and consumer group, against the mock cluster.
describe.skipIf(!available)(`a command traced through Kafka (${available ? 'librdkafka mock cluster' : `${MOCK_BINARY} not built; scripts/setup.sh builds it`})`, () => {
  let db: TestDatabase;
  let otlp: OtlpReceiver;
  let cluster: MockKafkaCluster;
  const services: RunningService[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('obs_kafka');
    otlp = await startOtlpReceiver();
    cluster = await startMockCluster(3);
    await cluster.createTopic(TOPICS.events, PARTITIONS);
    await cluster.createTopic(TOPICS.integration, 3);
    const env = { APP_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', JWT_SECRET: SECRET, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url };
    const kafka = { PROJECTOR_SOURCE: 'kafka', KAFKA_BROKERS: cluster.brokers.join(','), KAFKA_EVENTS_TOPIC: TOPICS.events, KAFKA_INTEGRATION_TOPIC: TOPICS.integration, KAFKA_GROUP_ID: GROUP, KAFKA_RELAY: 'on', KAFKA_IDEMPOTENT: 'off' };
    const started = await Promise.allSettled([startService('command-service', env), startService('projector', { ...env, ...kafka })]);
    for (const result of started) if (result.status === 'fulfilled') services.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await cluster?.stop();
    await otlp?.close();
    await db?.drop();
  });

  it("one trace holds the command's HTTP span, its append, the relay's send, the consumer's processing and the projection of the event", async () => {
    const command = services.find((service) => service.name === 'command-service')!;
    const workflowId = 'kafka_traced_flow';
    const token = await mintToken(SECRET, { actor: 'e2e', tenant: `obsk${Date.now().toString(36)}`, roles: ['admin'] });
    const created = await fetch(`${command.apiUrl!}/api/v1/workflows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(legacyWorkflow(workflowId)),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const spans = (): readonly ReceivedSpan[] => otlp.spans();
    const append = await eventually('the append span', () => spans().find((span) => span.name === 'eventstore.append' && String(span.attributes['iwf.stream.id']).endsWith(`:${workflowId}`)));
    const stream = String(append.attributes['iwf.stream.id']);
    const inTrace = (span: ReceivedSpan): boolean => span.traceId === append.traceId;
    expect(spans().find((span) => span.spanId === append.parentSpanId)).toMatchObject({ service: 'command-service', kind: SERVER, traceId: append.traceId, name: expect.stringMatching(/^POST/) });

    const sent = await eventually('the relay span', () => spans().find((span) => inTrace(span) && span.name === `send ${TOPICS.events}` && span.parentSpanId === append.spanId));
    expect(sent).toMatchObject({
      service: 'projector',
      kind: PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': TOPICS.events, 'messaging.kafka.message.key': stream },
    });

    // The consumer found the relay's span in the message's traceparent header.
    const processed = await eventually('the consumer span', () => spans().find((span) => inTrace(span) && span.name === `process ${TOPICS.events}` && span.parentSpanId === sent.spanId));
    expect(processed).toMatchObject({
      service: 'projector',
      kind: CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': TOPICS.events,
        'messaging.destination.partition.id': String(partitionFor(stream, PARTITIONS)),
        'messaging.kafka.message.key': stream,
        'messaging.consumer.group.name': GROUP,
      },
    });
    expect(Number(processed.attributes['messaging.kafka.offset'])).toBeGreaterThanOrEqual(0);

    // The projection of the event, fed from Kafka, is in the command's trace too.
    const projected = await eventually('the projection span', () =>
      spans().find((span) => inTrace(span) && span.name === 'project WorkflowCreated' && span.parentSpanId === append.spanId && span.attributes['iwf.projection'] === 'workflows'),
    );
    expect(projected).toMatchObject({ service: 'projector', kind: CONSUMER });
  }, 120_000);
});
