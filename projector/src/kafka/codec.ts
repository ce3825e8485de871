import type { EventMetadata, RecordedEvent } from '@iwf/contracts';

/**
 * The wire form of an event on Kafka. The key is the stream id, so a stream's events share a
 * partition and keep their order; headers carry what a consumer routes or traces by without
 * parsing the value; the value is the whole recorded event as JSON (positions as strings).
 */
export interface EventMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export const HEADERS = {
  eventId: 'iwf-event-id',
  eventType: 'iwf-event-type',
  schemaVersion: 'iwf-schema-version',
  streamRevision: 'iwf-stream-revision',
  /** W3C trace context, under its standard name so tracing tools pick it up. */
  traceparent: 'traceparent',
  contentType: 'content-type',
} as const;

interface WireEvent {
  readonly event_id: string;
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly position: { readonly commit: string; readonly prepare: string };
  readonly type: string;
  readonly schema_version: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recorded_at: string;
}

export function encodeEvent(event: RecordedEvent): EventMessage {
  const wire: WireEvent = {
    event_id: event.event_id,
    stream_id: event.stream_id,
    stream_revision: event.stream_revision,
    position: { commit: event.position.commit.toString(), prepare: event.position.prepare.toString() },
    type: event.type,
    schema_version: event.schema_version,
    data: event.data,
    metadata: event.metadata,
    recorded_at: event.recorded_at.toISOString(),
  };
  const headers: Record<string, string> = {
    [HEADERS.eventId]: event.event_id,
    [HEADERS.eventType]: event.type,
    [HEADERS.schemaVersion]: String(event.schema_version),
    [HEADERS.streamRevision]: String(event.stream_revision),
    [HEADERS.contentType]: 'application/json',
  };
  const traceparent = event.metadata.traceparent;
  if (typeof traceparent === 'string' && traceparent.length > 0) headers[HEADERS.traceparent] = traceparent;
  return { key: event.stream_id, value: JSON.stringify(wire), headers };
}

/** A message that is not one of ours; the consumer stops on it rather than skip it silently. */
export class UndecodableMessageError extends Error {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super(`message ${where} is not an iwf event: ${reason}`);
    this.name = 'UndecodableMessageError';
  }
}

/** Decodes a message's value; `where` (topic/partition@offset) names it in errors. */
export function decodeEvent(value: Buffer | string | null, where: string): RecordedEvent {
  if (value === null) throw new UndecodableMessageError(where, 'empty value');
  let wire: Partial<WireEvent>;
  try {
    wire = JSON.parse(value.toString()) as Partial<WireEvent>;
  } catch (error) {
    throw new UndecodableMessageError(where, error instanceof Error ? error.message : String(error));
  }
  const { event_id, stream_id, stream_revision, position, type, schema_version, metadata, recorded_at } = wire;
  if (
    typeof event_id !== 'string' ||
    typeof stream_id !== 'string' ||
    typeof type !== 'string' ||
    !Number.isInteger(stream_revision) ||
    !Number.isInteger(schema_version) ||
    typeof position?.commit !== 'string' ||
    typeof position.prepare !== 'string' ||
    typeof metadata !== 'object' ||
    metadata === null ||
    typeof recorded_at !== 'string'
  ) {
    throw new UndecodableMessageError(where, 'missing or mistyped fields');
  }
  return {
    event_id,
    stream_id,
    stream_revision: stream_revision!,
    position: { commit: BigInt(position.commit), prepare: BigInt(position.prepare) },
    type,
    schema_version: schema_version!,
    data: wire.data,
    metadata,
    recorded_at: new Date(recorded_at),
  };
}

/** Reads one header as text (kafkajs hands them over as Buffers). */
export function headerText(headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
