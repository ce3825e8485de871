import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '@iwf/contracts';

/** One event as every system under test receives it: same ids, types, data and metadata. */
export interface BenchEvent {
  readonly event_id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
}

/** Where a writer's next append goes. Writers own their streams, so no append ever conflicts. */
export interface StreamSlot {
  readonly stream_id: string;
  /** Events already in the stream before this append (0: the append creates it). */
  readonly events_before: number;
}

// Streams stay short, like aggregates: a new one every 20 appends, so 5% of appends create a stream.
const APPENDS_PER_STREAM = 20;

export function streamSlot(writer: number, append: number, batch: number): StreamSlot {
  const stream = Math.floor(append / APPENDS_PER_STREAM);
  return {
    stream_id: `bench-w${writer}-s${stream}`,
    events_before: (append % APPENDS_PER_STREAM) * batch,
  };
}

/** A realistic order event (about 400 bytes of JSON with its metadata). */
export function benchEvents(count: number, writer: number): BenchEvent[] {
  const correlation_id = randomUUID();
  return Array.from({ length: count }, (_, n) => ({
    event_id: randomUUID(),
    type: n === 0 ? 'order.placed' : 'order.line_added',
    data: {
      order_id: correlation_id,
      customer_id: `customer-${writer}`,
      lines: [
        { sku: `SKU-${n}-A`, quantity: 2, unit_price: 1999 },
        { sku: `SKU-${n}-B`, quantity: 1, unit_price: 4500 },
      ],
      total: 8498,
      currency: 'EUR',
      note: 'leave at the front door',
    },
    metadata: {
      tenant: 'tenant-bench',
      actor: `user:writer-${writer}`,
      correlation_id,
      causation_id: correlation_id,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  }));
}
