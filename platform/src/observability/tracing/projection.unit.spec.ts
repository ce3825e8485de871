import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@iwf/contracts';
import { spanContextOf, traceparentOf } from './context.js';
import { traceProjection } from './projection.js';

const exporter = new InMemorySpanExporter();
beforeAll(() => trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })));
afterAll(() => trace.disable());

const COMMAND = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function recorded(revision: number, traceparent?: string): RecordedEvent {
  return {
    event_id: `e${revision}`,
    stream_id: 'workflow:acme:w',
    stream_revision: revision,
    position: { commit: 1n, prepare: BigInt(revision + 1) },
    type: 'WorkflowCreated',
    schema_version: 1,
    data: {},
    metadata: { tenant: 'acme', actor: 'a', correlation_id: 'c', ...(traceparent ? { traceparent } : {}) },
    recorded_at: new Date(),
  };
}

describe('traceProjection', () => {
  it("puts each traced event's handling in its command's trace and links the batch to it", async () => {
    exporter.reset();
    const projection = { name: 'workflows', version: 3, apply: async (_tx: string, events: readonly RecordedEvent[]) => events.length };
    const traced = traceProjection(projection);
    expect(traced.version).toBe(3);
    expect(await traced.apply('tx', [recorded(0, COMMAND), recorded(1)])).toBe(2);
    const spans = exporter.getFinishedSpans();
    const handled = spans.find((span) => span.name === 'project WorkflowCreated');
    const batch = spans.find((span) => span.name === 'projection workflows');
    expect(spans).toHaveLength(2); // the event without a traceparent gets no span of its own
    expect(handled?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(handled?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(handled?.attributes).toMatchObject({ 'iwf.projection': 'workflows', 'iwf.stream.revision': 0 });
    expect(batch?.links.map((link) => link.context.spanId)).toEqual(['b7ad6b7169203331']);
    expect(batch?.attributes['iwf.events']).toBe(2);
  });

  it('marks the spans failed when the handler throws', async () => {
    exporter.reset();
    const traced = traceProjection({
      name: 'workflows',
      apply: async (_tx: string, _events: readonly RecordedEvent[]): Promise<number> => {
        throw new Error('bad row');
      },
    });
    await expect(traced.apply('tx', [recorded(0, COMMAND)])).rejects.toThrow('bad row');
    expect(exporter.getFinishedSpans().map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
  });

  it('reads and writes W3C traceparents, refusing malformed ones', () => {
    expect(spanContextOf(COMMAND)).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    for (const bad of [undefined, 42, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`]) expect(spanContextOf(bad)).toBeUndefined();
    expect(traceparentOf(undefined)).toBeUndefined();
    const span = trace.getTracer('t').startSpan('s');
    expect(traceparentOf(span)).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    span.end();
  });
});
