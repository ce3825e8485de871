import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { DuplicateEventIdError, WrongExpectedRevisionError, validationError, type EventStore, type NewEvent } from '@iwf/contracts';
import { instrumentEventStore, streamCategory } from './event-store.js';

type Behaviour = 'ok' | 'repeat' | 'conflict' | 'duplicate' | 'invalid' | 'crash';

/** Records what reached the adapter and answers each append as told. */
function fakeStore(behaviour: () => Behaviour): { store: EventStore; written: NewEvent[][] } {
  const written: NewEvent[][] = [];
  const store = {
    async append(stream_id: string, events: readonly NewEvent[]) {
      written.push([...events]);
      const position = { commit: 1n, prepare: 1n };
      switch (behaviour()) {
        case 'ok':
          return { next_revision: events.length - 1, position, appended: true };
        case 'repeat':
          return { next_revision: events.length - 1, position, appended: false };
        case 'conflict':
          throw new WrongExpectedRevisionError(stream_id, 0, 3);
        case 'duplicate':
          throw new DuplicateEventIdError('x');
        case 'invalid':
          throw validationError([{ pointer: '/events', message: 'empty' }]);
        case 'crash':
          throw new Error('connection reset');
      }
    },
  } as Partial<EventStore> as EventStore;
  return { store, written };
}

const event = (traceparent?: string): NewEvent => ({
  event_id: '00000000-0000-4000-8000-000000000001',
  type: 'WorkflowCreated',
  data: {},
  metadata: { tenant: 't', actor: 'a', correlation_id: 'c', ...(traceparent ? { traceparent } : {}) },
});

const exporter = new InMemorySpanExporter();
afterAll(() => trace.disable());

describe('instrumented event store', () => {
  it('counts appends by outcome, events by stream category, and conflicts', async () => {
    const outcomes: Behaviour[] = ['ok', 'ok', 'repeat', 'conflict', 'duplicate', 'invalid', 'crash'];
    const { store } = fakeStore(() => outcomes.shift() ?? 'ok');
    const registry = new Registry();
    const instrumented = instrumentEventStore(store, registry);
    for (let i = 0; i < 7; i++) await instrumented.append(`workflow:acme:w${i}`, [event(), event()], 'any').catch(() => undefined);
    const text = await registry.metrics();
    for (const [outcome, count] of [['appended', 2], ['repeated', 1], ['conflict', 1], ['duplicate', 1], ['invalid', 1], ['error', 1]] as const) {
      expect(text).toContain(`iwf_eventstore_appends_total{outcome="${outcome}"} ${count}`);
    }
    expect(text).toContain('iwf_eventstore_appended_events_total{category="workflow"} 4');
    expect(text).toContain('iwf_eventstore_append_conflicts_total 1');
    expect(text).toContain('iwf_eventstore_append_duration_seconds_count 7');
    expect(streamCategory('execution:acme:1')).toBe('execution');
    expect(streamCategory('plain')).toBe('other');
  });

  it('without tracing, the events reach the store as they were sent', async () => {
    const { store, written } = fakeStore(() => 'ok');
    const clientTraceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await instrumentEventStore(store, new Registry()).append('workflow:acme:w', [event(clientTraceparent)], 'no_stream');
    expect(written[0]?.[0]?.metadata.traceparent).toBe(clientTraceparent);
  });

  it('with tracing, each event carries the traceparent of the append span', async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    const { store, written } = fakeStore(() => 'ok');
    await instrumentEventStore(store, new Registry()).append('workflow:acme:w', [event('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), event()], 'no_stream');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('eventstore.append');
    expect(span?.attributes).toMatchObject({ 'iwf.stream.id': 'workflow:acme:w', 'iwf.events': 2 });
    const expected = `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`;
    expect(written[0]?.map((sent) => sent.metadata.traceparent)).toEqual([expected, expected]);
  });
});
