import { Type } from '@sinclair/typebox';
import type { IngestedEventView } from '@iwf/contracts';

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const IngestedEventViewSchema = Type.Unsafe<IngestedEventView>(
  Type.Object({
    event_id: Type.String(),
    event_type: Type.String(),
    source: Type.String(),
    payload: Type.Object({}, { additionalProperties: true }),
    received_at: Type.String({ format: 'date-time' }),
    executions: Type.Array(Type.Object({ execution_id: Type.String(), workflow_id: Type.String(), workflow_revision: Type.Integer() })),
    revision: Type.Integer(),
  }),
);
