import { SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { contextOf, failSpan, traceparentOf, TRACER_NAME } from './context.js';

/** Kafka message headers as kafkajs takes and hands them over (values arrive as Buffers). */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** The slice of a kafkajs `TopicMessages` that the producer spans read and write. */
export interface OutgoingMessages {
  readonly topic: string;
  readonly messages: readonly { readonly key?: Buffer | string | null; headers?: MessageHeaders }[];
}

/** The slice of a kafkajs `Batch` (an `eachBatch` payload's) that the consumer spans read. */
export interface IncomingBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly { readonly key: Buffer | string | null; readonly offset: string; readonly headers?: MessageHeaders }[];
}

const TRACEPARENT = 'traceparent';

/**
 * Runs `send` inside one PRODUCER span per message whose `traceparent` header names the
 * context it was made in (the relay copies each event's from its metadata): the span is a
 * child of that context and its own context replaces the header, so the consumer's span
 * follows on in the same trace. Messages without one are sent without a span.
 */
export async function traceSend<T>(batches: readonly OutgoingMessages[], send: () => Promise<T>): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const spans: Span[] = [];
  for (const { topic, messages } of batches) {
    for (const message of messages) {
      const parent = contextOf(headerText(message.headers, TRACEPARENT));
      if (!parent) continue;
      const span = tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', topic, message.key) }, parent);
      const own = traceparentOf(span);
      if (own) message.headers = { ...message.headers, [TRACEPARENT]: own };
      spans.push(span);
    }
  }
  return endAfter(spans, send);
}

/**
 * Runs `handle` (a consumer's work on one fetched partition batch) inside one CONSUMER span
 * per message carrying a `traceparent` header, each a child of the producer's span named
 * there. The spans end when the whole batch is handled, as the batch is applied at once.
 */
export async function traceProcess<T>(batch: IncomingBatch, group: string, handle: () => Promise<T>): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const spans: Span[] = [];
  for (const message of batch.messages) {
    const parent = contextOf(headerText(message.headers, TRACEPARENT));
    if (!parent) continue;
    const attributes: Attributes = {
      ...messagingAttributes('process', batch.topic, message.key),
      'messaging.destination.partition.id': String(batch.partition),
      'messaging.kafka.offset': Number(message.offset),
      'messaging.consumer.group.name': group,
    };
    spans.push(tracer.startSpan(`process ${batch.topic}`, { kind: SpanKind.CONSUMER, attributes }, parent));
  }
  return endAfter(spans, handle);
}

function messagingAttributes(operation: 'send' | 'process', topic: string, key: Buffer | string | null | undefined): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': topic,
    ...(key === null || key === undefined ? {} : { 'messaging.kafka.message.key': key.toString() }),
  };
}

async function endAfter<T>(spans: readonly Span[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    spans.forEach((span) => failSpan(span, error));
    throw error;
  } finally {
    spans.forEach((span) => span.end());
  }
}

function headerText(headers: MessageHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}
