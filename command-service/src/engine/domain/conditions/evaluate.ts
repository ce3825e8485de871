import type { JsonValue } from '../json.js';
import { mapJsonStrings } from '../json.js';
import { renderTemplate, resolveReference } from '../templates/index.js';
import { applyOperator } from './apply.js';
import type { Outcome } from './compare.js';
import { isPresenceOperator } from './operators.js';
import { parseCondition } from './parse.js';
import type { ConditionError, ConditionNode, ConditionOptions, ConditionResult, LeafTrace } from './types.js';

type LeafNode = Extract<ConditionNode, { kind: 'leaf' }>;
type Evaluation = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: ConditionError };

/**
 * Evaluates a condition (any JSON) against a context. Never throws: a malformed condition, a
 * missing field (except for exists/not_exists), a `value` template naming a missing path, or
 * incomparable types give `{ ok: false, error }`. Groups short-circuit left to right: `and`
 * stops at the first false, `or` at the first true, and data errors in branches not reached
 * do not count (shape errors always do, see parseCondition).
 */
export const evaluateCondition = (condition: unknown, context: unknown, options: ConditionOptions = {}): ConditionResult => {
  const parsed = parseCondition(condition, options);
  if (!parsed.ok) return { ok: false, error: parsed.error, trace: [] };
  return evaluateParsedCondition(parsed.condition, context, options);
};

/** Evaluates a condition already checked by parseCondition (e.g. cached with its definition). */
export const evaluateParsedCondition = (
  condition: ConditionNode,
  context: unknown,
  options: ConditionOptions = {},
): ConditionResult => {
  const trace: LeafTrace[] = [];
  const result = evaluateNode(condition, context, options, trace);
  return result.ok ? { ok: true, value: result.value, trace } : { ok: false, error: result.error, trace };
};

const evaluateNode = (node: ConditionNode, context: unknown, options: ConditionOptions, trace: LeafTrace[]): Evaluation => {
  switch (node.kind) {
    case 'leaf':
      return evaluateLeaf(node, context, options, trace);
    case 'not': {
      const inner = evaluateNode(node.item, context, options, trace);
      return inner.ok ? { ok: true, value: !inner.value } : inner;
    }
    case 'and':
    case 'or': {
      // `and` decides on the first false, `or` on the first true.
      const decisive = node.kind === 'or';
      for (const item of node.items) {
        const result = evaluateNode(item, context, options, trace);
        if (!result.ok || result.value === decisive) return result;
      }
      return { ok: true, value: !decisive };
    }
  }
};

const evaluateLeaf = (leaf: LeafNode, context: unknown, options: ConditionOptions, trace: LeafTrace[]): Evaluation => {
  const { pointer, field, operator } = leaf;
  const resolved = resolveReference(field, context, options);
  const actual = resolved.status === 'found' ? toJson(resolved.value) : undefined;
  const record = (result: boolean | 'error', expected?: JsonValue): void => {
    trace.push({
      pointer,
      field,
      operator,
      ...(actual === undefined ? {} : { actual }),
      ...(expected === undefined ? {} : { expected }),
      result,
    });
  };
  if (isPresenceOperator(operator)) {
    const value = (actual !== undefined) === (operator === 'exists');
    record(value);
    return { ok: true, value };
  }
  if (actual === undefined) {
    record('error');
    return failure(pointer, `field ${field} is missing`, field);
  }
  const rendered = renderTemplate(leaf.value, context, options);
  const missing = rendered.missing[0];
  if (missing !== undefined) {
    record('error');
    return failure(`${pointer}/value`, `value refers to the missing path ${missing}`, missing);
  }
  const outcome: Outcome<boolean> = applyOperator(operator, actual, rendered.value, {
    ...(leaf.regex === undefined ? {} : { regex: leaf.regex }),
    ...(options.regexStepBudget === undefined ? {} : { regexStepBudget: options.regexStepBudget }),
  });
  record(outcome.ok ? outcome.value : 'error', rendered.value);
  return outcome.ok ? outcome : failure(pointer, `${field} ${operator}: ${outcome.message}`, field);
};

const failure = (pointer: string, message: string, path: string): Evaluation => ({
  ok: false,
  error: { pointer, message, path },
});

/** Context values as JSON, so comparisons and the trace never see undefined or NaN. */
const toJson = (value: unknown): JsonValue => mapJsonStrings(value, (text) => text);
