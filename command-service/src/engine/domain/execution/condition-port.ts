import type { Condition } from '@iwf/contracts';
import { evaluateCondition } from '../conditions/index.js';

/**
 * The one place the interpreter meets the condition evaluator: a result or an evaluation
 * error, each with the evaluator's trace (the leaves it looked at) for the history.
 */
export type Evaluation =
  | { readonly ok: true; readonly result: boolean; readonly trace: unknown }
  | { readonly ok: false; readonly error: string; readonly trace: unknown };

export function evaluate(condition: Condition, scope: Readonly<Record<string, unknown>>, now: string): Evaluation {
  const outcome = evaluateCondition(condition, scope, { now });
  if (outcome.ok) return { ok: true, result: outcome.value, trace: outcome.trace };
  const { message, pointer } = outcome.error;
  return { ok: false, error: pointer === '' ? message : `${message} (at ${pointer})`, trace: outcome.trace };
}
