import { Type } from '@sinclair/typebox';
import type { AuditEventView, AuditStreamView } from '@iwf/contracts';

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const AuditEventViewSchema = Type.Unsafe<AuditEventView>(
  Type.Object({
    position: Type.String(),
    stream_id: Type.String(),
    stream_revision: Type.Integer(),
    event_id: Type.String(),
    type: Type.String(),
    schema_version: Type.Integer(),
    data: Type.Unknown(),
    metadata: Type.Object(
      {
        tenant: Type.String(),
        actor: Type.String(),
        correlation_id: Type.String(),
        causation_id: Type.Optional(Type.String()),
        traceparent: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
    recorded_at: Type.String({ format: 'date-time' }),
  }),
);

export const AuditStreamViewSchema = Type.Unsafe<AuditStreamView>(
  Type.Object({
    stream_id: Type.String(),
    category: Type.String(),
    revision: Type.Union([Type.Integer(), Type.Null()]),
    head_revision: Type.Integer(),
    at_revision: Type.Union([Type.Integer(), Type.Null()]),
    at_time: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    events: Type.Array(AuditEventViewSchema),
    state: Type.Unknown({ description: "The aggregate's folded state after the events shown; null for streams without an aggregate fold." }),
  }),
);
