/**
 * Workflow definition types. Placeholder shapes: the full TypeBox schemas replace these,
 * keeping the exported names.
 */
export interface WorkflowDefinitionBody {
  readonly trigger: Readonly<Record<string, unknown>>;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly timeout?: string;
  readonly steps: readonly Readonly<Record<string, unknown>>[];
}

/** A validated workflow document in canonical form. */
export interface WorkflowDocument {
  readonly workflow_id: string;
  readonly version: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly definition: WorkflowDefinitionBody;
  readonly extra: Readonly<Record<string, unknown>>;
}
