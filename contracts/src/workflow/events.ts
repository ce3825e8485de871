import type { WorkflowDefinitionBody } from './definition.js';

/**
 * Events of the workflow aggregate (stream `workflow:<tenant>:<workflow_id>`).
 * Past tense; each carries everything a read model needs, so projections never look back.
 */
export interface WorkflowCreated {
  readonly type: 'WorkflowCreated';
  readonly data: {
    readonly workflow_id: string;
    readonly name: string;
    readonly version: string;
    readonly description: string | null;
    readonly tags: readonly string[];
    readonly enabled: boolean;
    readonly definition: WorkflowDefinitionBody;
    /** Unknown top-level keys of the submitted document, kept as metadata. */
    readonly extra: Readonly<Record<string, unknown>>;
    readonly created_at: string;
  };
}

export interface WorkflowDefinitionPublished {
  readonly type: 'WorkflowDefinitionPublished';
  readonly data: {
    readonly workflow_id: string;
    readonly name: string;
    readonly version: string;
    readonly description: string | null;
    readonly tags: readonly string[];
    readonly definition: WorkflowDefinitionBody;
    readonly extra: Readonly<Record<string, unknown>>;
    readonly published_at: string;
  };
}

export interface WorkflowEnabled {
  readonly type: 'WorkflowEnabled';
  readonly data: { readonly workflow_id: string; readonly enabled_at: string };
}

export interface WorkflowDisabled {
  readonly type: 'WorkflowDisabled';
  readonly data: { readonly workflow_id: string; readonly disabled_at: string };
}

export interface WorkflowArchived {
  readonly type: 'WorkflowArchived';
  readonly data: { readonly workflow_id: string; readonly archived_at: string };
}

export type WorkflowEvent = WorkflowCreated | WorkflowDefinitionPublished | WorkflowEnabled | WorkflowDisabled | WorkflowArchived;
export type WorkflowEventType = WorkflowEvent['type'];

export const WORKFLOW_EVENT_TYPES: readonly WorkflowEventType[] = [
  'WorkflowCreated',
  'WorkflowDefinitionPublished',
  'WorkflowEnabled',
  'WorkflowDisabled',
  'WorkflowArchived',
];
