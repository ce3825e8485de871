import type { WorkflowDefinitionBody } from '../workflow/definition.js';

/** A workflow as the query API returns it (API.md "Resource shapes"). */
export interface WorkflowView {
  readonly workflow_id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly archived: boolean;
  /** Number of definition revisions published (1 after create). */
  readonly definition_revision: number;
  /** The aggregate's revision: the stream revision of its last event; also the ETag. */
  readonly revision: number;
  readonly definition: WorkflowDefinitionBody;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One published definition of a workflow. */
export interface WorkflowVersionView {
  readonly workflow_id: string;
  readonly definition_revision: number;
  readonly version: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly definition: WorkflowDefinitionBody;
  readonly published_at: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}
