import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ContextSchema, DurationSchema, IdSchema, NonEmptyString, TriggerSchema } from './schema-common.js';
import { StepSchema } from './schema-steps.js';
import { WORKFLOW_LIMITS } from './limits.js';

/**
 * Workflow definition schemas (see docs/WORKFLOW-LANGUAGE.md). The schemas document the
 * shapes for OpenAPI; `parseWorkflowDocument` is what validates a submission, with
 * pointers into the document as it was sent.
 */
export const WorkflowDefinitionBodySchema = Type.Object(
  {
    trigger: TriggerSchema,
    context: Type.Optional(ContextSchema),
    timeout: Type.Optional(DurationSchema),
    steps: Type.Array(StepSchema, { minItems: 1 }),
  },
  { additionalProperties: false, $id: 'WorkflowDefinitionBody' },
);

/** The header fields both submission shapes share. */
export const workflowHeaderProperties = {
  workflow_id: IdSchema,
  version: NonEmptyString(64),
  name: NonEmptyString(WORKFLOW_LIMITS.maxNameLength),
  description: Type.Optional(Type.Union([Type.String({ maxLength: WORKFLOW_LIMITS.maxDescriptionLength }), Type.Null()])),
  tags: Type.Optional(
    Type.Array(NonEmptyString(WORKFLOW_LIMITS.maxTagLength), { maxItems: WORKFLOW_LIMITS.maxTags, description: 'Default []' }),
  ),
  enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
};

/** Canonical submission: the definition nested under `definition`. Unknown top-level keys are kept as metadata. */
export const CanonicalWorkflowSubmissionSchema = Type.Object(
  { ...workflowHeaderProperties, definition: WorkflowDefinitionBodySchema },
  { additionalProperties: true, $id: 'CanonicalWorkflowSubmission' },
);

/** Legacy submission: trigger, context, timeout and steps at the top level. */
export const LegacyWorkflowSubmissionSchema = Type.Object(
  {
    ...workflowHeaderProperties,
    trigger: TriggerSchema,
    context: Type.Optional(ContextSchema),
    timeout: Type.Optional(DurationSchema),
    steps: Type.Array(StepSchema, { minItems: 1 }),
  },
  { additionalProperties: true, $id: 'LegacyWorkflowSubmission' },
);

export const WorkflowSubmissionSchema = Type.Union([CanonicalWorkflowSubmissionSchema, LegacyWorkflowSubmissionSchema], {
  $id: 'WorkflowSubmission',
});

/** A validated workflow document in canonical form, as events and read models carry it. */
export const WorkflowDocumentSchema = Type.Object(
  {
    workflow_id: IdSchema,
    version: NonEmptyString(64),
    name: NonEmptyString(WORKFLOW_LIMITS.maxNameLength),
    description: Type.Union([Type.String(), Type.Null()]),
    tags: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    definition: WorkflowDefinitionBodySchema,
    /** Unknown top-level keys of the submission, kept as metadata. */
    extra: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false, $id: 'WorkflowDocument' },
);

export type WorkflowDefinitionBody = Static<typeof WorkflowDefinitionBodySchema>;
export type WorkflowDocument = Static<typeof WorkflowDocumentSchema>;
export type WorkflowSubmission = Static<typeof WorkflowSubmissionSchema>;
export type Trigger = WorkflowDefinitionBody['trigger'];
