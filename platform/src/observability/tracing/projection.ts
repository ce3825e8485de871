import { SpanKind, trace, type Span } from '@opentelemetry/api';
import type { RecordedEvent } from '@iwf/contracts';
import { contextOf, failSpan, inSpan, linksOf, TRACER_NAME } from './context.js';

/** The slice of a projection that tracing wraps; the projector's `Projection` fits it. */
export interface BatchHandler<Tx, Result> {
  readonly name: string;
  apply(tx: Tx, events: readonly RecordedEvent[]): Promise<Result>;
}

// A span may carry only so many links; a batch links to the first of its commands' traces.
const MAX_LINKS = 64;

/**
 * Wraps a projection so each batch is a span linked to the commands that appended its events,
 * and each event carrying a `traceparent` gets a span in that command's own trace, so one
 * trace shows a command, its append and the projection of its events.
 */
export function traceProjection<Tx, Result, P extends BatchHandler<Tx, Result>>(projection: P): P {
  const apply = (tx: Tx, events: readonly RecordedEvent[]): Promise<Result> =>
    inSpan(`projection ${projection.name}`, { 'iwf.projection': projection.name, 'iwf.events': events.length }, async (batch) => {
      batch.addLinks(linksOf(events.slice(0, MAX_LINKS).map((event) => event.metadata.traceparent)));
      const spans = eventSpans(projection.name, events, batch);
      try {
        const result = await projection.apply(tx, events);
        spans.forEach((span) => span.end());
        return result;
      } catch (error) {
        spans.forEach((span) => {
          failSpan(span, error);
          span.end();
        });
        throw error;
      }
    });
  // The projection stays the prototype, so its other fields (version, cache kinds) still answer.
  return Object.assign(Object.create(projection) as P, { apply });
}

function eventSpans(projection: string, events: readonly RecordedEvent[], batch: Span): Span[] {
  const tracer = trace.getTracer(TRACER_NAME);
  return events.flatMap((event) => {
    const parent = contextOf(event.metadata.traceparent);
    if (!parent) return [];
    const span = tracer.startSpan(
      `project ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'iwf.projection': projection,
          'iwf.event.type': event.type,
          'iwf.event.id': event.event_id,
          'iwf.stream.id': event.stream_id,
          'iwf.stream.revision': event.stream_revision,
        },
        links: [{ context: batch.spanContext() }],
      },
      parent,
    );
    return [span];
  });
}
