import { Type, type TSchema } from '@sinclair/typebox';
import type { Page, WorkflowVersionView, WorkflowView } from '@iwf/contracts';

const Definition = Type.Object(
  { trigger: Type.Object({}, { additionalProperties: true }), steps: Type.Array(Type.Object({}, { additionalProperties: true })) },
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
