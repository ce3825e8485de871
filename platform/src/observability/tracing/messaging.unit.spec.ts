import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spanContextOf } from './context.js';
import type { MessageHeaders } from './messaging.js';
import { traceProcess, traceSend } from './messaging.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeEach(() => {
  exporter.reset();
  trace.setGlobalTracerProvider(provider);
});
afterEach(() => trace.disable());

const COMMAND = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

function outgoing(key: string, traceparent?: string): { key: string; value: string; headers: MessageHeaders } {
  return { key, value: '{}', headers: { 'iwf-event-id': key, ...(traceparent ? { traceparent } : {}) } };
}

describe('traceSend', () => {
  it("sends each traced message in a PRODUCER span under its command and hands the span's context on in the header", async () => {
    const batches = [
      { topic: 'iwf.events', messages: [outgoing('workflow:acme:w1', COMMAND), outgoing('workflow:acme:w2')] },
      { topic: 'iwf.integration', messages: [outgoing('integration:acme:invoice', COMMAND)] },
    ];
    let headersWhenSent: (string | undefined)[] = [];
    expect(await traceSend(batches, async () => {
      headersWhenSent = batches.flatMap((batch) => batch.messages.map((message) => message.headers['traceparent']?.toString()));
      return 'acked';
    })).toBe('acked');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['send iwf.events', 'send iwf.integration']);
    for (const span of spans) {
      expect(span.kind).toBe(SpanKind.PRODUCER);
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    }
    expect(spans[0]?.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'iwf.events',
      'messaging.kafka.message.key': 'workflow:acme:w1',
    });
    // The broker got each span's own context; the untraced message went as it was.
    expect(headersWhenSent.map((value) => value && spanContextOf(value)?.spanId)).toEqual([spans[0]?.spanContext().spanId, undefined, spans[1]?.spanContext().spanId]);
    expect(batches[0]?.messages[0]?.headers['iwf-event-id']).toBe('workflow:acme:w1');
  });

  it('marks the spans failed when the brokers refuse the batch', async () => {
    await expect(traceSend([{ topic: 'iwf.events', messages: [outgoing('k', COMMAND)] }], () => Promise.reject(new Error('leader not available')))).rejects.toThrow('leader not available');
    expect(exporter.getFinishedSpans().map((span) => [span.status.code, span.status.message])).toEqual([[SpanStatusCode.ERROR, 'leader not available']]);
  });

  it('leaves the headers alone while tracing is off', async () => {
    trace.disable();
    const message = outgoing('k', COMMAND);
    await traceSend([{ topic: 'iwf.events', messages: [message] }], async () => undefined);
    expect(message.headers['traceparent']).toBe(COMMAND);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('traceProcess', () => {
  it('handles a batch in a CONSUMER span per traced message, each a child of the span its header names', async () => {
    const PRODUCER = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';
    const batch = {
      topic: 'iwf.events',
      partition: 4,
      messages: [
        { key: Buffer.from('workflow:acme:w1'), value: Buffer.from('{}'), offset: '17', headers: { traceparent: Buffer.from(PRODUCER) } },
        { key: Buffer.from('workflow:acme:w2'), value: Buffer.from('{}'), offset: '18', headers: {} },
      ],
    };
    let openWhileHandling = 0;
    await traceProcess(batch, 'iwf-projector', async () => {
      openWhileHandling = 1 - exporter.getFinishedSpans().length;
    });
    expect(openWhileHandling).toBe(1);
    const [span, ...others] = exporter.getFinishedSpans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('process iwf.events');
    expect(span?.kind).toBe(SpanKind.CONSUMER);
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span?.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'iwf.events',
      'messaging.destination.partition.id': '4',
      'messaging.kafka.offset': 17,
      'messaging.kafka.message.key': 'workflow:acme:w1',
      'messaging.consumer.group.name': 'iwf-projector',
    });
  });

  it('marks the spans failed when handling the batch fails', async () => {
    const batch = { topic: 'iwf.events', partition: 0, messages: [{ key: null, offset: '0', headers: { traceparent: COMMAND } }] };
    await expect(traceProcess(batch, 'g', () => Promise.reject(new Error('read model down')))).rejects.toThrow('read model down');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['messaging.kafka.message.key']).toBeUndefined();
  });
});
