import { WORKFLOW_EVENT_DATA_SCHEMAS } from '../workflow/events.js';
import type { EventDefinition } from './registry.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * WorkflowCreated v1 stored the definition in the legacy top-level shape (trigger, context,
 * timeout, steps beside the header) and kept no unknown keys. v2 nests the definition under
 * `definition`, carries `extra`, and always has description, tags and enabled.
 */
export function workflowCreatedV1ToV2(data: unknown): unknown {
  if (!isRecord(data)) return data;
  const { trigger, context, timeout, steps, ...header } = data;
  const definition: Record<string, unknown> = { trigger };
  if (context !== undefined) definition['context'] = context;
  if (timeout !== undefined) definition['timeout'] = timeout;
  definition['steps'] = steps;
  return {
    ...header,
    description: header['description'] ?? null,
    tags: header['tags'] ?? [],
    enabled: header['enabled'] ?? true,
    definition,
    extra: {},
  };
}

export const WORKFLOW_EVENT_DEFINITIONS: readonly EventDefinition[] = [
  { type: 'WorkflowCreated', schema_version: 2, upcasters: { 1: workflowCreatedV1ToV2 }, data: WORKFLOW_EVENT_DATA_SCHEMAS.WorkflowCreated },
  { type: 'WorkflowDefinitionPublished', schema_version: 1, data: WORKFLOW_EVENT_DATA_SCHEMAS.WorkflowDefinitionPublished },
  { type: 'WorkflowEnabled', schema_version: 1, data: WORKFLOW_EVENT_DATA_SCHEMAS.WorkflowEnabled },
  { type: 'WorkflowDisabled', schema_version: 1, data: WORKFLOW_EVENT_DATA_SCHEMAS.WorkflowDisabled },
  { type: 'WorkflowArchived', schema_version: 1, data: WORKFLOW_EVENT_DATA_SCHEMAS.WorkflowArchived },
];
