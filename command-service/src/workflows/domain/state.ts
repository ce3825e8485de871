import type { WorkflowDefinitionBody, WorkflowEvent } from '@iwf/contracts';

/** What a publish replaces: everything of the document except its identity and `enabled`. */
export interface PublishedContent {
  readonly name: string;
  readonly version: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly definition: WorkflowDefinitionBody;
  readonly extra: Readonly<Record<string, unknown>>;
}

interface Existing {
  readonly workflow_id: string;
  readonly content: PublishedContent;
  /** 1 after create, +1 per published definition. */
  readonly definition_revision: number;
}

export type WorkflowState =
  | { readonly status: 'absent' }
  | (Existing & { readonly status: 'active'; readonly enabled: boolean })
  | (Existing & { readonly status: 'archived' });

export const initialState: WorkflowState = { status: 'absent' };

function contentOf(data: PublishedContent): PublishedContent {
  const { name, version, description, tags, definition, extra } = data;
  return { name, version, description, tags, definition, extra };
}

/** Folds one event into the state. Events that cannot apply to the state leave it as it is. */
export function evolve(state: WorkflowState, event: WorkflowEvent): WorkflowState {
  switch (event.type) {
    case 'WorkflowCreated':
      return { status: 'active', workflow_id: event.data.workflow_id, enabled: event.data.enabled, content: contentOf(event.data), definition_revision: 1 };
    case 'WorkflowDefinitionPublished':
      return state.status === 'active'
        ? { ...state, content: contentOf(event.data), definition_revision: state.definition_revision + 1 }
        : state;
    case 'WorkflowEnabled':
      return state.status === 'active' ? { ...state, enabled: true } : state;
    case 'WorkflowDisabled':
      return state.status === 'active' ? { ...state, enabled: false } : state;
    case 'WorkflowArchived':
      return state.status === 'active'
        ? { status: 'archived', workflow_id: state.workflow_id, content: state.content, definition_revision: state.definition_revision }
        : state;
  }
}
