import type { RecordedEvent } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { HEADERS, UndecodableMessageError, decodeEvent, encodeEvent, headerText } from './codec.js';
import { DEFAULT_TOPICS, isIntegrationEvent, topicOf } from './topics.js';

const event: RecordedEvent = {
  event_id: '0b7c3a9e-4f1d-4e2a-8c5b-6d7e8f901234',
  stream_id: 'workflow:tenant-a:wf-1',
  stream_revision: 7,
  // Beyond 2^53: positions must survive as exact integers.
  position: { commit: 9_007_199_254_740_993n, prepare: 12n },
  type: 'WorkflowEnabled',
  schema_version: 2,
  data: { workflow_id: 'wf-1', nested: { list: [1, null, 'ü'] } },
  metadata: { tenant: 'tenant-a', actor: 'user:ada', correlation_id: 'c-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  recorded_at: new Date('2024-03-04T05:06:07.089Z'),
};

describe('event messages', () => {
  it('are keyed by stream id and carry id, type, schema version, revision and traceparent headers', () => {
    const message = encodeEvent(event);
    expect(message.key).toBe('workflow:tenant-a:wf-1');
    expect(message.headers).toEqual({
      [HEADERS.eventId]: event.event_id,
      [HEADERS.eventType]: 'WorkflowEnabled',
      [HEADERS.schemaVersion]: '2',
      [HEADERS.streamRevision]: '7',
      [HEADERS.contentType]: 'application/json',
      traceparent: event.metadata.traceparent,
    });
  });

  it('leave the traceparent header out when the event has none', () => {
    const { traceparent: _, ...metadata } = event.metadata;
    expect(encodeEvent({ ...event, metadata }).headers).not.toHaveProperty('traceparent');
  });

  it('decode to the very event that was encoded, exact positions and dates included', () => {
    const message = encodeEvent(event);
    expect(decodeEvent(Buffer.from(message.value), 'events/0@0')).toEqual(event);
  });

  it('refuse what is not one of our events, naming where it was', () => {
    expect(() => decodeEvent(null, 'events/1@5')).toThrow(UndecodableMessageError);
    expect(() => decodeEvent('not json', 'events/1@6')).toThrow(/events\/1@6/);
    const { stream_revision: _, ...partial } = JSON.parse(encodeEvent(event).value) as Record<string, unknown>;
    expect(() => decodeEvent(JSON.stringify(partial), 'events/1@7')).toThrow(/missing or mistyped/);
  });

  it('read headers as text whether kafkajs gives a Buffer, a string or a list', () => {
    expect(headerText({ a: Buffer.from('x'), b: 'y', c: [Buffer.from('z'), 'w'] }, 'a')).toBe('x');
    expect(headerText({ b: 'y' }, 'b')).toBe('y');
    expect(headerText({ c: [Buffer.from('z')] }, 'c')).toBe('z');
    expect(headerText(undefined, 'a')).toBeUndefined();
  });
});

describe('topics', () => {
  it('send record requests to the integration topic and everything else to the events topic', () => {
    expect(isIntegrationEvent({ type: 'record.create_requested' })).toBe(true);
    expect(topicOf({ type: 'record.update_requested' }, DEFAULT_TOPICS)).toBe('iwf.integration');
    expect(topicOf({ type: 'record.created' }, DEFAULT_TOPICS)).toBe('iwf.events');
    expect(topicOf({ type: 'WorkflowCreated' }, { events: 'a', integration: 'b' })).toBe('a');
  });
});
