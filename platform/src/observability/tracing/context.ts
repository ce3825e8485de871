import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Link, type Span, type SpanContext } from '@opentelemetry/api';

export const TRACER_NAME = '@iwf/platform';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of a span, or undefined when it is not recording (tracing off). */
export function traceparentOf(span: Span | undefined): string | undefined {
  const context = span?.spanContext();
  if (!context || !trace.isSpanContextValid(context) || !span?.isRecording()) return undefined;
  return `00-${context.traceId}-${context.spanId}-${context.traceFlags.toString(16).padStart(2, '0')}`;
}

/** A remote span context from a stored `traceparent`, or undefined when absent or malformed. */
export function spanContextOf(traceparent: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  const context: SpanContext = { traceId: match[1], spanId: match[2], traceFlags: Number.parseInt(match[3], 16), isRemote: true };
  return trace.isSpanContextValid(context) ? context : undefined;
}

export function contextOf(traceparent: unknown): Context | undefined {
  const spanContext = spanContextOf(traceparent);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : undefined;
}

export function linksOf(traceparents: readonly unknown[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const value of traceparents) {
    const context = spanContextOf(value);
    if (!context || seen.has(context.spanId)) continue;
    seen.add(context.spanId);
    links.push({ context });
  }
  return links;
}

/** Runs `work` in a new active span, recording a failure on it. */
export async function inSpan<T>(name: string, attributes: Record<string, string | number>, work: (span: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
