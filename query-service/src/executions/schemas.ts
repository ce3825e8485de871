import { Type } from '@sinclair/typebox';
import type { ExecutionStepView, ExecutionSummaryView, ExecutionView } from '@iwf/contracts';
import { ERROR_KINDS, EXECUTION_DECISIONS, EXECUTION_STATUSES, STEP_RUN_STATUSES } from '@iwf/contracts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });

export const StatusSchema = literals(EXECUTION_STATUSES);
export const DecisionSchema = literals(EXECUTION_DECISIONS);

export const ErrorSchema = Type.Object({
  kind: literals(ERROR_KINDS),
  message: Type.String(),
  status: Type.Optional(Type.Integer()),
});

const JsonObject = Type.Object({}, { additionalProperties: true });

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const ExecutionStepSchema = Type.Unsafe<ExecutionStepView>(
  Type.Object({
    run: Type.Integer({ description: 'Index of the run in the timeline.' }),
    step_id: Type.String(),
    type: Type.String(),
    path: Type.Array(Type.Union([Type.String(), Type.Integer()]), { description: 'Enclosing parallel/foreach step ids and iteration indexes, then the step id.' }),
    parent_run: nullable(Type.Integer()),
    status: literals(STEP_RUN_STATUSES),
    started_at: Time,
    completed_at: nullable(Time),
    attempts: Type.Integer(),
    output: Type.Unknown(),
    error: nullable(ErrorSchema),
  }),
);

const summaryProperties = {
  execution_id: Type.String(),
  workflow_id: Type.String(),
  workflow_revision: Type.Integer(),
  workflow_version: Type.String(),
  trigger_kind: literals(['event', 'schedule', 'manual'] as const),
  trigger_event_id: nullable(Type.String()),
  status: StatusSchema,
  decision: nullable(DecisionSchema),
  current_step_id: nullable(Type.String()),
  error: nullable(ErrorSchema),
  started_at: Time,
  completed_at: nullable(Time),
  duration_ms: nullable(Type.Integer()),
  updated_at: Time,
  revision: Type.Integer(),
};

export const ExecutionSummarySchema = Type.Unsafe<ExecutionSummaryView>(Type.Object(summaryProperties));

export const ExecutionViewSchema = Type.Unsafe<ExecutionView>(
  Type.Object({ ...summaryProperties, context: JsonObject, steps: Type.Array(ExecutionStepSchema) }),
);

/** Time-window filters of lists: from inclusive, to exclusive. */
export const TimeWindowQuery = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'At or after this time.' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time.' })),
};
