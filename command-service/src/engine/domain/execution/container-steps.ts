import type { ExecutionError, ExecutionEvent, ParallelStrategy } from '@iwf/contracts';
import { WORKFLOW_LIMITS } from '@iwf/contracts';
import { renderTemplate } from '../templates/index.js';
import { branchRoots, targetOf } from './definition.js';
import { evaluationError, stepFailure } from './failure.js';
import type { Events, RunContext } from './run-context.js';
import { completed } from './run-context.js';
import type { Thread, ThreadOutcome } from './state.js';
import { findThread } from './tree.js';

/** Parallel: start every branch, then once all have ended apply the strategy. */
export function parallelEvents(run: RunContext): Events {
  const { entry, step, env, state } = run;
  const progress = entry.progress;
  if (progress?.kind !== 'parallel' || step.type !== 'parallel') return [];
  if (progress.strategy === null) {
    const strategy = step.parallel.strategy ?? 'all_must_pass';
    const branches = branchRoots(step.parallel.steps);
    const base = { run: entry.run, step_id: entry.step_id, path: entry.path, at: env.now };
    return [{ type: 'ParallelStarted', data: { ...base, strategy, branches } }];
  }
  const threads = progress.threads.map((id) => findThread(state, id));
  const ended = threads.flatMap((thread) => (thread?.cursor.kind === 'done' ? [thread] : []));
  if (ended.length < threads.length) return [];
  const outcomes = Object.fromEntries(ended.map((thread) => [branchName(thread), outcomeOf(thread)]));
  const output = { strategy: progress.strategy, branches: outcomes };
  if (passes(progress.strategy, Object.values(outcomes))) return [completed(run, { ...output, passed: true }, targetOf(step, 'next'))];
  const onFalse = targetOf(step, 'on_false');
  if (onFalse !== null) return [completed(run, { ...output, passed: false }, onFalse)];
  return [stepFailure(entry, step, notPassing(progress.strategy, ended), env.now)];
}

function passes(strategy: ParallelStrategy, outcomes: readonly ThreadOutcome[]): boolean {
  switch (strategy) {
    case 'all_must_pass':
      return outcomes.every((outcome) => outcome === 'passed');
    case 'any_can_pass':
      return outcomes.some((outcome) => outcome === 'passed');
    case 'best_effort':
      return true;
  }
}

const branchName = (thread: Thread): string => thread.id.slice(thread.id.indexOf('/') + 1);
const outcomeOf = (thread: Thread): ThreadOutcome => (thread.cursor.kind === 'done' ? thread.cursor.outcome : 'failed');

/** The first failed branch's error, so retry_on sees what really went wrong; else why it did not pass. */
function notPassing(strategy: ParallelStrategy, ended: readonly Thread[]): ExecutionError {
  for (const thread of ended) if (thread.cursor.kind === 'done' && thread.cursor.error !== null) return thread.cursor.error;
  const names = ended.filter((thread) => outcomeOf(thread) !== 'passed').map(branchName);
  return { kind: 'other', message: `parallel (${strategy}) did not pass: ${names.join(', ')}` };
}

/** Foreach: resolve the items once per attempt, then run one iteration after another. */
export function foreachEvents(run: RunContext): Events {
  const { entry, step, env, state } = run;
  const progress = entry.progress;
  if (progress?.kind !== 'foreach' || step.type !== 'foreach') return [];
  const base = { run: entry.run, step_id: entry.step_id, path: entry.path, at: env.now };
  if (progress.items === null) return [resolveItems(run, step.foreach.items, progress.item_var)];
  const count = progress.items.length;
  const current = progress.thread === null ? undefined : findThread(state, progress.thread);
  if (current !== undefined && current.cursor.kind !== 'done') return [];
  if (current?.cursor.kind === 'done' && current.cursor.outcome === 'failed') {
    const error = current.cursor.error ?? { kind: 'other' as const, message: `iteration ${progress.index} failed` };
    return [stepFailure(entry, step, error, env.now)];
  }
  const nextIndex = progress.thread === null ? 0 : progress.index + 1;
  if (nextIndex >= count) return [completed(run, { count }, targetOf(step, 'next'))];
  return [{ type: 'IterationStarted', data: { ...base, index: nextIndex } }];
}

function resolveItems(run: RunContext, template: string, itemVar: string): ExecutionEvent {
  const { entry, env } = run;
  const { value } = renderTemplate(template, run.scope, { now: env.now });
  if (!Array.isArray(value)) {
    const found = value === null ? 'nothing' : typeof value;
    return stepFailure(entry, run.step, evaluationError(`foreach items ${template} is ${found}, not a list`), env.now);
  }
  if (value.length > WORKFLOW_LIMITS.maxForeachItems) {
    const message = `foreach items ${template} has ${value.length} items; at most ${WORKFLOW_LIMITS.maxForeachItems} are allowed`;
    return stepFailure(entry, run.step, { kind: 'invalid', message }, env.now);
  }
  return { type: 'ForeachStarted', data: { run: entry.run, step_id: entry.step_id, path: entry.path, item_var: itemVar, items: value, at: env.now } };
}
