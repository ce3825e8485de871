import { Type, type TSchema } from '@sinclair/typebox';
import { EXECUTION_STATUSES, type ExecutionCountsView, type Page, type WorkflowVersionView, type WorkflowView } from '@iwf/contracts';

// A read always has context and timeout (API.md), also when the submission left them out:
// no context loads ({}), no bound on the execution (null).
const Definition = Type.Object(
  {
    trigger: Type.Object({}, { additionalProperties: true }),
    context: Type.Object({}, { additionalProperties: true, default: {} }),
    timeout: Type.Union([Type.String(), Type.Null()], { default: null }),
    steps: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const WorkflowViewSchema = Type.Unsafe<WorkflowView>(Type.Object({
  workflow_id: Type.String(),
  name: Type.String(),
  version: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  archived: Type.Boolean(),
  definition_revision: Type.Integer(),
  revision: Type.Integer(),
  definition: Definition,
  metadata: Type.Object({}, { additionalProperties: true }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
}));

export const WorkflowVersionViewSchema = Type.Unsafe<WorkflowVersionView>(Type.Object({
  workflow_id: Type.String(),
  definition_revision: Type.Integer(),
  version: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  definition: Definition,
  published_at: Type.String({ format: 'date-time' }),
}));

export const pageOf = <T>(item: TSchema & { static: T }) =>
  Type.Unsafe<Page<T>>(Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) }));

export const ListQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
};

/** A single workflow read: the view plus how many of its executions are in each status. */
export const WorkflowDetailSchema = Type.Unsafe<WorkflowView & { execution_counts: ExecutionCountsView }>(
  Type.Composite([
    WorkflowViewSchema,
    Type.Object({
      execution_counts: Type.Object(Object.fromEntries([...EXECUTION_STATUSES, 'total'].map((status) => [status, Type.Integer({ minimum: 0 })]))),
    }),
  ]),
);
