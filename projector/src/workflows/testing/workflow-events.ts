import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent, WorkflowDefinitionBody, WorkflowEvent } from '@iwf/contracts';
import { currentSchemaVersion, streamId } from '@iwf/contracts';

/** Builders of workflow events for tests: what the command side would append. */

export function definition(trigger_event = 'order.created', reason = 'ok'): WorkflowDefinitionBody {
  return {
    trigger: { type: 'event', event: trigger_event },
    steps: [{ id: 'decide', type: 'action', action: { type: 'allow', reason } }],
  };
}

export interface Header {
  readonly name?: string;
  readonly version?: string;
  readonly description?: string | null;
  readonly tags?: readonly string[];
  readonly definition?: WorkflowDefinitionBody;
  readonly extra?: Record<string, unknown>;
}

export function created(workflow_id: string, at: string, header: Header & { enabled?: boolean } = {}): WorkflowEvent {
  return {
    type: 'WorkflowCreated',
    data: { ...body(workflow_id, header), enabled: header.enabled ?? true, created_at: at },
  };
}

export function published(workflow_id: string, at: string, header: Header = {}): WorkflowEvent {
  return { type: 'WorkflowDefinitionPublished', data: { ...body(workflow_id, header), published_at: at } };
}

export const enabled = (workflow_id: string, at: string): WorkflowEvent => ({ type: 'WorkflowEnabled', data: { workflow_id, enabled_at: at } });
export const disabled = (workflow_id: string, at: string): WorkflowEvent => ({ type: 'WorkflowDisabled', data: { workflow_id, disabled_at: at } });
export const archived = (workflow_id: string, at: string): WorkflowEvent => ({ type: 'WorkflowArchived', data: { workflow_id, archived_at: at } });

function body(workflow_id: string, header: Header) {
  return {
    workflow_id,
    name: header.name ?? `Workflow ${workflow_id}`,
    version: header.version ?? '1.0.0',
    description: header.description === undefined ? `About ${workflow_id}` : header.description,
    tags: header.tags ?? [],
    definition: header.definition ?? definition(),
    extra: header.extra ?? {},
  };
}

export function toNewEvent(tenant: string, event: WorkflowEvent): NewEvent {
  return {
    event_id: randomUUID(),
    type: event.type,
    schema_version: currentSchemaVersion(event.type),
    data: event.data,
    metadata: { tenant, actor: 'test', correlation_id: randomUUID() },
  };
}

/** Stamps events as a store would, for tests that apply events without one. */
export function recordAll(tenant: string, workflow_id: string, events: readonly WorkflowEvent[], firstPosition = 1n): RecordedEvent[] {
  return events.map((event, index) => ({
    ...toNewEvent(tenant, event),
    stream_id: streamId('workflow', tenant, workflow_id),
    stream_revision: index,
    position: { commit: firstPosition + BigInt(index), prepare: firstPosition + BigInt(index) },
    schema_version: currentSchemaVersion(event.type),
    recorded_at: new Date('2024-01-01T00:00:00.000Z'),
  }));
}
