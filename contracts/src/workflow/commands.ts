import type { WorkflowDocument } from './definition.js';

/**
 * Commands of the workflow aggregate. Imperative; time comes in on the command so the
 * decider stays pure. `document` is the normalised (canonical) definition, already validated.
 */
export interface CreateWorkflow {
  readonly type: 'CreateWorkflow';
  readonly data: { readonly document: WorkflowDocument; readonly now: string };
}

export interface PublishWorkflowDefinition {
  readonly type: 'PublishWorkflowDefinition';
  readonly data: { readonly document: WorkflowDocument; readonly now: string };
}

export interface EnableWorkflow {
  readonly type: 'EnableWorkflow';
  readonly data: { readonly workflow_id: string; readonly now: string };
}

export interface DisableWorkflow {
  readonly type: 'DisableWorkflow';
  readonly data: { readonly workflow_id: string; readonly now: string };
}

export interface ArchiveWorkflow {
  readonly type: 'ArchiveWorkflow';
  readonly data: { readonly workflow_id: string; readonly now: string };
}

export type WorkflowCommand = CreateWorkflow | PublishWorkflowDefinition | EnableWorkflow | DisableWorkflow | ArchiveWorkflow;
