export type { ApplyContext, ValueOperator } from './apply.js';
export { applyOperator } from './apply.js';
export type { Outcome } from './compare.js';
export { equal, order } from './compare.js';
export { evaluateCondition, evaluateParsedCondition } from './evaluate.js';
export type { Operator } from './operators.js';
export { canonicalOperator, OPERATORS } from './operators.js';
export { parseCondition } from './parse.js';
export type {
  ConditionError,
  ConditionNode,
  ConditionOptions,
  ConditionResult,
  LeafTrace,
  ParsedCondition,
} from './types.js';
export { DEFAULT_MAX_CONDITION_DEPTH } from './types.js';
