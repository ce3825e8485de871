import { Type } from '@sinclair/typebox';
import type { ApprovalView } from '@iwf/contracts';
import { APPROVAL_STATUSES } from '@iwf/contracts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });

export const ApprovalStatusSchema = Type.Union(APPROVAL_STATUSES.map((status) => Type.Literal(status)));

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const ApprovalViewSchema = Type.Unsafe<ApprovalView>(
  Type.Object({
    approval_id: Type.String(),
    execution_id: Type.String(),
    workflow_id: Type.String(),
    step_id: Type.String(),
    status: ApprovalStatusSchema,
    approver_role: Type.String(),
    entity: Type.String(),
    entity_id: Type.String(),
    reason: Type.String(),
    data: Type.Object({}, { additionalProperties: true }),
    blocking: Type.Boolean({ description: 'True when the execution waits for the decision.' }),
    expires_at: Time,
    decided_by: nullable(Type.String()),
    decided_at: nullable(Time),
    comment: nullable(Type.String()),
    created_at: Time,
    revision: Type.Integer(),
  }),
);
