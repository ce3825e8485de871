import type { EventDefinition } from '../events/registry.js';
import { APPROVAL_EVENT_TYPES } from '../approval/events.js';
import { EXECUTION_EVENT_TYPES } from './events.js';
import { INGEST_EVENT_TYPES } from './ingest.js';
import { RULE_EVENT_TYPES } from './rules.js';

// Every type of this slice is at its first schema version; none needs an upcaster yet.
const v1 = (types: readonly string[]): EventDefinition[] => types.map((type) => ({ type, schema_version: 1 }));

/** Execution, approval, ingest and rule event types, for the registry catalog. */
export const EXECUTION_EVENT_DEFINITIONS: readonly EventDefinition[] = [
  ...v1(EXECUTION_EVENT_TYPES),
  ...v1(APPROVAL_EVENT_TYPES),
  ...v1(INGEST_EVENT_TYPES),
  ...v1(RULE_EVENT_TYPES),
];
