/**
 * Bounds on a workflow definition. They keep one definition from exhausting the parser,
 * the engine or a read model; raising one is a product decision, not a refactor.
 */
export const WORKFLOW_LIMITS = {
  /** Serialized JSON of the whole submitted document, UTF-8 bytes. */
  maxDocumentBytes: 256 * 1024,
  /** Nesting of arrays and objects anywhere in the document. */
  maxJsonDepth: 64,
  /** Steps in the definition, nested ones included. */
  maxSteps: 200,
  /** How deep `parallel`/`foreach` blocks may nest inside each other (a top-level block is 1). */
  maxNestingDepth: 3,
  /** How deep `and`/`or`/`not` groups may nest. */
  maxConditionDepth: 8,
  /** Items in one `execute` list. */
  maxExecuteItems: 50,
  /** Branches of one `parallel` block. */
  maxParallelBranches: 20,
  /** Items one `foreach` iterates over at run time (the engine enforces it). */
  maxForeachItems: 1000,
  /** `retry.max_attempts`, the first attempt included. */
  maxRetryAttempts: 10,
  /** Any duration in a definition (timeouts, waits, expiries, retry intervals). */
  maxDurationMs: 366 * 86_400_000,
  /** `context.load` entries. */
  maxContextLoads: 50,
  maxTags: 50,
  maxTagLength: 64,
  maxNameLength: 200,
  maxDescriptionLength: 4000,
} as const;

export type WorkflowLimits = typeof WORKFLOW_LIMITS;
