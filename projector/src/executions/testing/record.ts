import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent, StreamCategory } from '@iwf/contracts';
import { currentSchemaVersion, streamId } from '@iwf/contracts';

/** Any contract event: a type and its data. */
export interface AnyEvent {
  readonly type: string;
  readonly data: unknown;
}

export function toNewEvent(tenant: string, event: AnyEvent, actor = 'test'): NewEvent {
  return {
    event_id: randomUUID(),
    type: event.type,
    schema_version: currentSchemaVersion(event.type),
    data: event.data,
    metadata: { tenant, actor, correlation_id: randomUUID() },
  };
}

/** Stamps events as a store would, for fold tests that need no store. */
export function recordStream(
  category: StreamCategory,
  tenant: string,
  id: string,
  events: readonly AnyEvent[],
  options: { fromRevision?: number; firstPosition?: bigint; actor?: string } = {},
): RecordedEvent[] {
  const from = options.fromRevision ?? 0;
  const first = options.firstPosition ?? 1n;
  return events.map((event, index) => ({
    ...toNewEvent(tenant, event, options.actor),
    stream_id: streamId(category, tenant, id),
    stream_revision: from + index,
    position: { commit: first + BigInt(index), prepare: first + BigInt(index) },
    schema_version: currentSchemaVersion(event.type),
    recorded_at: new Date('2024-01-01T00:00:00.000Z'),
  }));
}
