import type { RecordedEvent } from '../event-store/types.js';
import { createEventRegistry } from './registry.js';
import type { EventDefinition } from './registry.js';
import { WORKFLOW_EVENT_DEFINITIONS } from './workflow.js';
import { EXECUTION_EVENT_DEFINITIONS } from '../execution/registry.js';
import { SECURITY_EVENT_DEFINITIONS } from '../security/events.js';

/**
 * Every event type the system writes. An aggregate adds its events by exporting a list of
 * definitions next to its event types and spreading it in here.
 */
export const EVENT_DEFINITIONS: readonly EventDefinition[] = [...WORKFLOW_EVENT_DEFINITIONS, ...EXECUTION_EVENT_DEFINITIONS, ...SECURITY_EVENT_DEFINITIONS];

/** Immutable: built once from the static definitions above. */
export const eventRegistry = createEventRegistry(EVENT_DEFINITIONS);

/** The version to stamp on a new event; 1 for a type not (yet) registered. */
export function currentSchemaVersion(type: string): number {
  return eventRegistry.currentVersion(type) ?? 1;
}

/** Event data in its current shape, whatever version it was stored with. */
export function upcast(type: string, schema_version: number, data: unknown): unknown {
  return eventRegistry.upcast(type, schema_version, data);
}

/** A recorded event as if it had been written by the current code. */
export function upcastRecorded<E extends RecordedEvent>(event: E): E {
  const current = eventRegistry.currentVersion(event.type);
  if (current === undefined || current === event.schema_version) return event;
  return { ...event, schema_version: current, data: upcast(event.type, event.schema_version, event.data) };
}
