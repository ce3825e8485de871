import { SpanKind, trace } from '@opentelemetry/api';
import { DomainError, DuplicateEventIdError, WrongExpectedRevisionError, withAppend, type EventStore, type NewEvent } from '@iwf/contracts';
import { Counter, Histogram, type Registry } from 'prom-client';
import { inSpan, traceparentOf } from '../tracing/context.js';

export type AppendOutcome = 'appended' | 'repeated' | 'conflict' | 'duplicate' | 'invalid' | 'error';

export const APPEND_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The stream's category (`workflow:acme:x` → `workflow`): bounded, unlike stream ids. */
export function streamCategory(streamId: string): string {
  const colon = streamId.indexOf(':');
  return colon > 0 ? streamId.slice(0, colon) : 'other';
}

/**
 * Decorates any EventStore adapter: counts appends by outcome, appended events and conflicts,
 * times appends, and runs each append in a span whose `traceparent` is stamped on every event
 * it writes, so whoever handles the event later can join the command's trace.
 */
export function instrumentEventStore(store: EventStore, registry: Registry): EventStore {
  const appends = new Counter({ name: 'iwf_eventstore_appends_total', help: 'Append calls by outcome', labelNames: ['outcome'], registers: [registry] });
  const appended = new Counter({ name: 'iwf_eventstore_appended_events_total', help: 'Events written to the log', labelNames: ['category'], registers: [registry] });
  const conflicts = new Counter({
    name: 'iwf_eventstore_append_conflicts_total',
    help: 'Appends refused because the stream was not at the expected revision (command handling retries them)',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'iwf_eventstore_append_duration_seconds',
    help: 'Time an append takes, whatever its outcome',
    buckets: APPEND_DURATION_BUCKETS,
    registers: [registry],
  });
  // Series exist from the start, so a rate over them reads 0 rather than nothing.
  for (const outcome of ['appended', 'repeated', 'conflict', 'duplicate', 'invalid', 'error'] satisfies AppendOutcome[]) appends.inc({ outcome }, 0);

  return withAppend(store, (streamId, events, expected) =>
    inSpan('eventstore.append', { 'iwf.stream.id': streamId, 'iwf.events': events.length }, async (span) => {
      const stamped = withTraceparent(events, traceparentOf(span));
      const stop = duration.startTimer();
      try {
        const result = await store.append(streamId, stamped, expected);
        appends.inc({ outcome: result.appended ? 'appended' : 'repeated' });
        if (result.appended) appended.inc({ category: streamCategory(streamId) }, events.length);
        return result;
      } catch (error) {
        const outcome = outcomeOf(error);
        appends.inc({ outcome });
        if (outcome === 'conflict') conflicts.inc();
        throw error;
      } finally {
        stop();
      }
    }, SpanKind.CLIENT));
}

function outcomeOf(error: unknown): AppendOutcome {
  if (error instanceof WrongExpectedRevisionError) return 'conflict';
  if (error instanceof DuplicateEventIdError) return 'duplicate';
  // A malformed append is the caller's bug, not the store failing; it must not page anyone.
  if (error instanceof DomainError && error.code === 'validation') return 'invalid';
  return 'error';
}

/** Stamps the append span's context; without tracing, a client-sent traceparent stays as it was. */
function withTraceparent(events: readonly NewEvent[], traceparent: string | undefined): readonly NewEvent[] {
  if (!traceparent) return events;
  return events.map((event) => ({ ...event, metadata: { ...event.metadata, traceparent } }));
}

/** The traceparent of the active span, for callers that build metadata themselves. */
export function activeTraceparent(): string | undefined {
  return traceparentOf(trace.getActiveSpan());
}
