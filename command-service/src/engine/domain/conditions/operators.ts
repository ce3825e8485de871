import { CONDITION_OPERATORS, canonicalOperator as canonicalContractOperator, type ConditionOperator } from '@iwf/contracts';

/** The condition operators, by canonical name: the workflow language's one list. */
export const OPERATORS = CONDITION_OPERATORS;

export type Operator = ConditionOperator;

/** The canonical operator for a name or alias (case-sensitive), or undefined if unknown. */
export const canonicalOperator = (name: unknown): Operator | undefined =>
  typeof name === 'string' ? canonicalContractOperator(name) : undefined;

/** Operators that only look at whether the field is there, and take no value. */
export const isPresenceOperator = (operator: Operator): operator is 'exists' | 'not_exists' =>
  operator === 'exists' || operator === 'not_exists';
