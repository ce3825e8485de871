import { trace } from '@opentelemetry/api';

/** `trace_id` and `span_id` of the active span, so a log line leads to its trace. */
export function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}
