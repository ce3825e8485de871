import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { ContextPathSchema, IdSchema, StringEnum } from './schema-common.js';

/** Operators by canonical name; the symbolic spellings are aliases of these. */
export const CONDITION_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'regex',
  'exists',
  'not_exists',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const OPERATOR_ALIASES = { '==': 'eq', '!=': 'neq', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;
export type OperatorAlias = keyof typeof OPERATOR_ALIASES;

export const ALL_OPERATORS: readonly (ConditionOperator | OperatorAlias)[] = [
  ...CONDITION_OPERATORS,
  ...(Object.keys(OPERATOR_ALIASES) as OperatorAlias[]),
];

/** The canonical operator for a name or alias, or undefined for an unknown one. */
export function canonicalOperator(operator: string): ConditionOperator | undefined {
  if ((CONDITION_OPERATORS as readonly string[]).includes(operator)) return operator as ConditionOperator;
  return Object.hasOwn(OPERATOR_ALIASES, operator) ? OPERATOR_ALIASES[operator as OperatorAlias] : undefined;
}

export const ConditionLeafSchema = Type.Object(
  {
    field: ContextPathSchema,
    operator: StringEnum(ALL_OPERATORS),
    value: Type.Optional(Type.Unknown({ description: 'Absent for exists / not_exists; may be a template' })),
  },
  { additionalProperties: false },
);

/** Group shapes; `node` is the schema of a nested condition (itself, or unknown when walking). */
export function conditionGroupSchemas<T extends TSchema>(node: T) {
  return {
    and: Type.Object({ and: Type.Array(node, { minItems: 1 }) }, { additionalProperties: false }),
    or: Type.Object({ or: Type.Array(node, { minItems: 1 }) }, { additionalProperties: false }),
    not: Type.Object({ not: node }, { additionalProperties: false }),
  };
}

export const RuleRefSchema = Type.Object({ rule_id: IdSchema }, { additionalProperties: false });

export const ConditionSchema = Type.Recursive(
  (This) => {
    const groups = conditionGroupSchemas(This);
    return Type.Union([ConditionLeafSchema, groups.and, groups.or, groups.not, RuleRefSchema]);
  },
  { $id: 'WorkflowCondition' },
);

export type ConditionLeaf = Static<typeof ConditionLeafSchema>;
export type Condition = Static<typeof ConditionSchema>;
