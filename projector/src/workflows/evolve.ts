import type {
  LogPosition,
  RecordedEvent,
  WorkflowDefinitionBody,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowVersionView,
  WorkflowView,
} from '@iwf/contracts';
import { WORKFLOW_EVENT_TYPES } from '@iwf/contracts';

/** One row of the workflows read model, held in memory while a batch folds into it. */
export interface WorkflowRecord {
  readonly tenant: string;
  readonly view: WorkflowView;
  readonly trigger_type: string | null;
  readonly trigger_event: string | null;
  readonly position: LogPosition;
}

/** What applying one event changed: the new record and, for a publish, the version it added. */
export interface WorkflowChange {
  readonly record: WorkflowRecord;
  readonly version?: WorkflowVersionView;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(WORKFLOW_EVENT_TYPES);

export function isWorkflowEventType(type: string): type is WorkflowEventType {
  return KNOWN_TYPES.has(type);
}

/**
 * Folds one event into the record. Returns undefined when the record already reflects the
 * event (its revision is equal or newer), which is what makes redelivery harmless.
 */
export function evolveWorkflow(
  record: WorkflowRecord | undefined,
  tenant: string,
  event: RecordedEvent,
): WorkflowChange | undefined {
  if (record && event.stream_revision <= record.view.revision) return undefined;
  const typed = asWorkflowEvent(event);
  const meta = { revision: event.stream_revision, position: event.position };
  if (typed.type === 'WorkflowCreated') {
    if (record) throw new Error(`workflow ${typed.data.workflow_id} created twice`);
    return created(tenant, typed.data, meta);
  }
  if (!record) throw new Error(`${typed.type} for workflow ${typed.data.workflow_id} before it was created`);
  switch (typed.type) {
    case 'WorkflowDefinitionPublished':
      return published(record, typed.data, meta);
    case 'WorkflowEnabled':
      return { record: touch(record, meta, typed.data.enabled_at, { enabled: true }) };
    case 'WorkflowDisabled':
      return { record: touch(record, meta, typed.data.disabled_at, { enabled: false }) };
    case 'WorkflowArchived':
      return { record: touch(record, meta, typed.data.archived_at, { archived: true }) };
  }
}

interface EventMeta {
  readonly revision: number;
  readonly position: LogPosition;
}

function created(tenant: string, data: Extract<WorkflowEvent, { type: 'WorkflowCreated' }>['data'], meta: EventMeta): WorkflowChange {
  const at = isoTime(data.created_at);
  const view: WorkflowView = {
    workflow_id: data.workflow_id,
    name: data.name,
    version: data.version,
    description: data.description,
    tags: [...data.tags],
    enabled: data.enabled,
    archived: false,
    definition_revision: 1,
    revision: meta.revision,
    definition: data.definition,
    metadata: data.extra,
    created_at: at,
    updated_at: at,
  };
  return { record: { tenant, view, ...trigger(data.definition), position: meta.position }, version: versionOf(view, at) };
}

function published(
  record: WorkflowRecord,
  data: Extract<WorkflowEvent, { type: 'WorkflowDefinitionPublished' }>['data'],
  meta: EventMeta,
): WorkflowChange {
  const at = isoTime(data.published_at);
  const view: WorkflowView = {
    ...record.view,
    name: data.name,
    version: data.version,
    description: data.description,
    tags: [...data.tags],
    definition: data.definition,
    metadata: data.extra,
    definition_revision: record.view.definition_revision + 1,
    revision: meta.revision,
    updated_at: at,
  };
  return { record: { ...record, view, ...trigger(data.definition), position: meta.position }, version: versionOf(view, at) };
}

function touch(record: WorkflowRecord, meta: EventMeta, at: string, change: Partial<WorkflowView>): WorkflowRecord {
  const view: WorkflowView = { ...record.view, ...change, revision: meta.revision, updated_at: isoTime(at) };
  return { ...record, view, position: meta.position };
}

function versionOf(view: WorkflowView, published_at: string): WorkflowVersionView {
  return {
    workflow_id: view.workflow_id,
    definition_revision: view.definition_revision,
    version: view.version,
    name: view.name,
    description: view.description,
    tags: view.tags,
    definition: view.definition,
    published_at,
  };
}

function trigger(definition: WorkflowDefinitionBody): Pick<WorkflowRecord, 'trigger_type' | 'trigger_event'> {
  const trigger = definition.trigger;
  return { trigger_type: trigger.type, trigger_event: trigger.type === 'event' ? trigger.event : null };
}

/**
 * Timestamps are normalised to millisecond ISO strings before they are stored, so the row the
 * database gives back and the view the projector caches are the same text.
 */
function isoTime(text: string): string {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp ${JSON.stringify(text)}`);
  return date.toISOString();
}

// Events come from our own store, validated when they were decided; this only guards the shape.
function asWorkflowEvent(event: RecordedEvent): WorkflowEvent {
  if (!isWorkflowEventType(event.type)) throw new Error(`unknown workflow event type ${event.type}`);
  const data = event.data;
  if (typeof data !== 'object' || data === null || typeof (data as { workflow_id?: unknown }).workflow_id !== 'string') {
    throw new Error(`${event.type} without a workflow_id`);
  }
  return { type: event.type, data } as WorkflowEvent;
}
