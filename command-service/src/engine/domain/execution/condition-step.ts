import type { Condition, RuleConditions, Step } from '@iwf/contracts';
import { targetOf } from './definition.js';
import { evaluationError, stepFailure } from './failure.js';
import { evaluate } from './condition-port.js';
import type { Events, RunContext } from './run-context.js';
import { completed } from './run-context.js';

type Resolved = { readonly condition: Condition; readonly rule_id: string | null } | { readonly error: string };

// Rules may reference rules; a chain of references this long is a cycle or a mistake.
const MAX_RULE_DEPTH = 8;

/**
 * Conditions a step may evaluate once its rule references are inlined. Each rule is small, but
 * rules that each reference the next many times multiply: eight levels of thirty references
 * would be 30^8 conditions, evaluated synchronously. Past this the step fails instead.
 */
export const MAX_INLINED_CONDITIONS = 10_000;

/** Evaluates a condition step and routes to on_true / on_false, or fails it with an evaluation error. */
export function conditionEvents(run: RunContext): Events {
  const { entry, env } = run;
  const resolved = conditionOf(run.step, env.rules);
  const outcome = 'error' in resolved ? { ok: false as const, error: resolved.error, trace: null } : evaluate(resolved.condition, run.scope, env.now);
  const ruleId = 'error' in resolved ? null : resolved.rule_id;
  const evaluated = {
    type: 'ConditionEvaluated' as const,
    data: { run: entry.run, step_id: entry.step_id, path: entry.path, result: outcome.ok ? outcome.result : null, rule_id: ruleId, trace: outcome.trace, at: env.now },
  };
  if (!outcome.ok) return [evaluated, stepFailure(entry, run.step, evaluationError(outcome.error), env.now)];
  const next = targetOf(run.step, outcome.result ? 'on_true' : 'on_false');
  return [evaluated, completed(run, { result: outcome.result }, next)];
}

function conditionOf(step: Step, rules: RuleConditions): Resolved {
  if (step.type !== 'condition') return { error: `step ${step.id} is not a condition` };
  if (step.condition !== undefined) {
    const condition = inlineRules(step.condition, rules, 0, { left: MAX_INLINED_CONDITIONS });
    return 'error' in condition ? condition : { condition: condition.condition, rule_id: step.rule_id ?? null };
  }
  if (step.rule_id === undefined) return { error: `step ${step.id} has neither condition nor rule_id` };
  const inlined = inlineRules({ rule_id: step.rule_id }, rules, 0, { left: MAX_INLINED_CONDITIONS });
  return 'error' in inlined ? inlined : { condition: inlined.condition, rule_id: step.rule_id };
}

/** The condition with every `{ rule_id }` reference replaced by the rule's condition, within the budget of conditions. */
function inlineRules(condition: Condition, rules: RuleConditions, depth: number, budget: { left: number }): { condition: Condition } | { error: string } {
  if (depth > MAX_RULE_DEPTH) return { error: 'rules reference each other too deeply (a cycle?)' };
  if ('rule_id' in condition) {
    const rule = Object.prototype.hasOwnProperty.call(rules, condition.rule_id) ? rules[condition.rule_id] : undefined;
    return rule === undefined ? { error: `rule ${condition.rule_id} was not found` } : inlineRules(rule, rules, depth + 1, budget);
  }
  budget.left -= 1;
  if (budget.left < 0) return { error: `the condition and the rules it references come to more than ${MAX_INLINED_CONDITIONS} conditions` };
  if ('and' in condition || 'or' in condition) {
    const key = 'and' in condition ? 'and' : 'or';
    const parts: Condition[] = [];
    for (const part of 'and' in condition ? condition.and : condition.or) {
      const inlined = inlineRules(part, rules, depth, budget);
      if ('error' in inlined) return inlined;
      parts.push(inlined.condition);
    }
    return { condition: (key === 'and' ? { and: parts } : { or: parts }) as Condition };
  }
  if ('not' in condition) {
    const inlined = inlineRules(condition.not, rules, depth, budget);
    return 'error' in inlined ? inlined : { condition: { not: inlined.condition } as Condition };
  }
  return { condition };
}
