import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent, RecordedEvent } from '@iwf/contracts';

/** A stream id of the product's shape, unique to the calling test. */
export function newStreamId(category = 'contract'): string {
  return `${category}:tenant-a:${randomUUID()}`;
}

/** An event type prefix unique to the calling test, so reads of the shared log can filter. */
export function newTypePrefix(): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}.`;
}

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return { tenant: 'tenant-a', actor: 'user:ada', correlation_id: randomUUID(), ...overrides };
}

export function newEvent(type = 'contract.happened', data: unknown = { n: 1 }, extra: Partial<NewEvent> = {}): NewEvent {
  return { event_id: randomUUID(), type, data, metadata: metadata(), ...extra };
}

export function newEvents(count: number, type = 'contract.happened'): NewEvent[] {
  return Array.from({ length: count }, (_, n) => newEvent(type, { n }));
}

export const ids = (events: readonly { event_id: string }[]): string[] => events.map((event) => event.event_id);

export const revisions = (events: readonly RecordedEvent[]): number[] => events.map((event) => event.stream_revision);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries an assertion until it passes or the time is up (then throws its last failure). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/** Settles every promise and splits results from failures, keeping each call's index. */
export async function settle<T>(work: readonly Promise<T>[]): Promise<{ values: T[]; errors: unknown[] }> {
  const outcomes = await Promise.allSettled(work);
  return {
    values: outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : [])),
    errors: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : [])),
  };
}
