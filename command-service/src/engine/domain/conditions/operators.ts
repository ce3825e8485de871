/** The condition operators, by canonical name, and the symbolic aliases WORKFLOWS.md allows. */
export const OPERATORS = [
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

export type Operator = (typeof OPERATORS)[number];

const ALIASES: Readonly<Record<string, Operator>> = {
  '==': 'eq',
  '!=': 'neq',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

/** The canonical operator for a name or alias (case-sensitive), or undefined if unknown. */
export const canonicalOperator = (name: unknown): Operator | undefined => {
  if (typeof name !== 'string') return undefined;
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  return (OPERATORS as readonly string[]).includes(name) ? (name as Operator) : undefined;
};

/** Operators that only look at whether the field is there, and take no value. */
export const isPresenceOperator = (operator: Operator): operator is 'exists' | 'not_exists' =>
  operator === 'exists' || operator === 'not_exists';
