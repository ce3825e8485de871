import type { ExecutionEvent, RuleConditions, Step, StepCompleted } from '@iwf/contracts';
import { scopeOf } from './context.js';
import { findStep } from './definition.js';
import type { ActiveExecution, StepRun, Thread } from './state.js';
import { findThread } from './tree.js';

/** What every decision gets from its command: the time of its events and the rules it may use. */
export interface Env {
  readonly now: string;
  readonly rules: RuleConditions;
}

/** One active step run, with its definition, thread and the scope its templates see. */
export interface RunContext {
  readonly state: ActiveExecution;
  readonly env: Env;
  readonly entry: StepRun;
  readonly step: Step;
  readonly thread: Thread;
  readonly scope: Readonly<Record<string, unknown>>;
}

export function runContext(state: ActiveExecution, env: Env, entry: StepRun): RunContext | undefined {
  const step = findStep(state.definition, entry.step_id);
  const thread = findThread(state, entry.thread);
  if (step === undefined || thread === undefined) return undefined;
  return { state, env, entry, step, thread, scope: scopeOf(state.context, thread.vars) };
}

export const completed = (run: RunContext, output: unknown, next: string | null): StepCompleted => ({
  type: 'StepCompleted',
  data: { run: run.entry.run, step_id: run.entry.step_id, path: run.entry.path, output, next, at: run.env.now },
});

export type Events = readonly ExecutionEvent[];
