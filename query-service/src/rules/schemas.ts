import { Type } from '@sinclair/typebox';
import type { RuleView } from '@iwf/contracts';

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const RuleViewSchema = Type.Unsafe<RuleView>(
  Type.Object({
    rule_id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    condition: Type.Object({}, { additionalProperties: true, description: 'A condition leaf or group (WORKFLOWS.md "Steps").' }),
    revision: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  }),
);
