import type { Condition } from '@iwf/contracts';

/**
 * The one place the interpreter meets the condition evaluator (engine/domain/conditions):
 * a result or an evaluation error, each with the evaluator's trace for the history.
 */
export type Evaluation =
  | { readonly ok: true; readonly result: boolean; readonly trace: unknown }
  | { readonly ok: false; readonly error: string; readonly trace: unknown };

// The conditions module has not landed yet; until it does, condition steps fail visibly
// (an evaluation error) rather than guess a result.
export function evaluate(_condition: Condition, _scope: Readonly<Record<string, unknown>>, _now: string): Evaluation {
  return { ok: false, error: 'the condition evaluator is not available yet', trace: null };
}
