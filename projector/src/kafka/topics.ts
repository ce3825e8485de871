import type { RecordedEvent } from '@iwf/contracts';

/** Where the relay publishes: the domain log, and integration events for other systems. */
export interface KafkaTopics {
  readonly events: string;
  readonly integration: string;
}

export const DEFAULT_TOPICS: KafkaTopics = { events: 'iwf.events', integration: 'iwf.integration' };

/**
 * The engine's `create_record`/`update_record` effects append `record.*_requested` events for a
 * system of record to act on; they are its input, not ours, so they go to their own topic
 * (no read model folds them).
 */
const INTEGRATION_TYPES: ReadonlySet<string> = new Set(['record.create_requested', 'record.update_requested']);

export function isIntegrationEvent(event: Pick<RecordedEvent, 'type'>): boolean {
  return INTEGRATION_TYPES.has(event.type);
}

export function topicOf(event: Pick<RecordedEvent, 'type'>, topics: KafkaTopics): string {
  return isIntegrationEvent(event) ? topics.integration : topics.events;
}
