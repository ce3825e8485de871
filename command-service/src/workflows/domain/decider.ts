import { DomainError } from '@iwf/contracts';
import type { CreateWorkflow, PublishWorkflowDefinition, WorkflowCommand, WorkflowDocument, WorkflowEvent } from '@iwf/contracts';
import { sameContent } from './same-content.js';
import { evolve, initialState } from './state.js';
import type { PublishedContent, WorkflowState } from './state.js';

export { evolve, initialState };
export type { WorkflowState };

type Existing = Exclude<WorkflowState, { status: 'absent' }>;

function contentOf(document: WorkflowDocument): PublishedContent {
  const { name, version, description, tags, definition, extra } = document;
  return { name, version, description, tags, definition, extra };
}

function requireExisting(state: WorkflowState, workflowId: string): Existing {
  if (state.status === 'absent') throw new DomainError('not_found', `No workflow ${workflowId}.`, [], 'workflow-not-found');
  return state;
}

/** Publish, enable and disable need a workflow that exists and is not archived. */
function requireActive(state: WorkflowState, workflowId: string): Extract<WorkflowState, { status: 'active' }> {
  const existing = requireExisting(state, workflowId);
  if (existing.status === 'archived') {
    throw new DomainError('illegal_state', `Workflow ${workflowId} is archived.`, [], 'workflow-archived');
  }
  return existing;
}

function create({ data }: CreateWorkflow, state: WorkflowState): WorkflowEvent[] {
  const { document, now } = data;
  if (state.status !== 'absent') {
    const how = state.status === 'archived' ? 'exists (archived)' : 'already exists';
    throw new DomainError('conflict', `Workflow ${document.workflow_id} ${how}.`, [{ pointer: '/workflow_id', message: how }], 'workflow-exists');
  }
  return [{ type: 'WorkflowCreated', data: { workflow_id: document.workflow_id, ...contentOf(document), enabled: document.enabled, created_at: now } }];
}

/**
 * A new definition. `enabled` in the document is not applied: documents default it to true,
 * so honouring it would silently re-enable a disabled workflow; use enable/disable instead.
 * Publishing exactly the current content appends nothing.
 */
function publish({ data }: PublishWorkflowDefinition, state: WorkflowState): WorkflowEvent[] {
  const { document, now } = data;
  const active = requireActive(state, document.workflow_id);
  if (document.workflow_id !== active.workflow_id) {
    throw new DomainError('validation', 'The document names another workflow.', [
      { pointer: '/workflow_id', message: `must be ${active.workflow_id}` },
    ]);
  }
  const content = contentOf(document);
  if (sameContent(content, active.content)) return [];
  return [{ type: 'WorkflowDefinitionPublished', data: { workflow_id: active.workflow_id, ...content, published_at: now } }];
}

function toggle(workflowId: string, now: string, state: WorkflowState, enable: boolean): WorkflowEvent[] {
  const active = requireActive(state, workflowId);
  if (active.enabled === enable) return [];
  return enable
    ? [{ type: 'WorkflowEnabled', data: { workflow_id: active.workflow_id, enabled_at: now } }]
    : [{ type: 'WorkflowDisabled', data: { workflow_id: active.workflow_id, disabled_at: now } }];
}

function archive(workflowId: string, now: string, state: WorkflowState): WorkflowEvent[] {
  const existing = requireExisting(state, workflowId);
  if (existing.status === 'archived') {
    throw new DomainError('illegal_state', `Workflow ${workflowId} is already archived.`, [], 'workflow-archived');
  }
  return [{ type: 'WorkflowArchived', data: { workflow_id: existing.workflow_id, archived_at: now } }];
}

/** Decides the events a command produces on the current state, or throws a DomainError. */
export function decide(command: WorkflowCommand, state: WorkflowState): WorkflowEvent[] {
  switch (command.type) {
    case 'CreateWorkflow':
      return create(command, state);
    case 'PublishWorkflowDefinition':
      return publish(command, state);
    case 'EnableWorkflow':
      return toggle(command.data.workflow_id, command.data.now, state, true);
    case 'DisableWorkflow':
      return toggle(command.data.workflow_id, command.data.now, state, false);
    case 'ArchiveWorkflow':
      return archive(command.data.workflow_id, command.data.now, state);
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled workflow command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const workflowDecider = { initialState, evolve, decide };
