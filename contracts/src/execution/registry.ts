import type { EventDefinition } from '../events/registry.js';
import { APPROVAL_EVENT_TYPES } from '../approval/events.js';
import { EXECUTION_EVENT_TYPES } from './events.js';
import { INGEST_EVENT_TYPES } from './ingest.js';
import { RULE_EVENT_TYPES } from './rules.js';

const v1 = (types: readonly string[]): EventDefinition[] => types.map((type) => ({ type, schema_version: 1 }));

/**
 * ExecutionRetried v2 may carry `timeout_at`, the deadline the retry starts. A v1 event has
 * none and means "the deadline stays", which is also what v2 says without one, so the data
 * reads unchanged; the version tells older code that it cannot read a v2 retry correctly.
 */
const CHANGED: readonly EventDefinition[] = [{ type: 'ExecutionRetried', schema_version: 2, upcasters: { 1: (data) => data } }];

/** Execution, approval, ingest and rule event types, for the registry catalog. */
export const EXECUTION_EVENT_DEFINITIONS: readonly EventDefinition[] = [
  ...CHANGED,
  ...v1(EXECUTION_EVENT_TYPES.filter((type) => !CHANGED.some((changed) => changed.type === type))),
  ...v1(APPROVAL_EVENT_TYPES),
  ...v1(INGEST_EVENT_TYPES),
  ...v1(RULE_EVENT_TYPES),
];
