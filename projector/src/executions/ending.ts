import type { ExecutionCancelled, ExecutionCompleted, ExecutionFailed, ExecutionRetried, ExecutionTimedOut } from '@iwf/contracts';
import type { ExecutionRecord } from './fold.js';
import { endStep, isUnfinished } from './timeline.js';

type Ending = ExecutionCompleted | ExecutionFailed | ExecutionCancelled | ExecutionTimedOut;

const TIMEOUT_MESSAGES = {
  execution_timeout: 'The execution ran past its timeout.',
  wait_timeout: 'A wait step timed out and has no on_timeout branch.',
} as const;

/** The execution ends: its unfinished runs end with it and nothing more is awaited. */
export function ended(record: ExecutionRecord, event: Ending, at: string): ExecutionRecord {
  const runStatus = event.type === 'ExecutionTimedOut' ? 'timed_out' : 'cancelled';
  const base: ExecutionRecord = {
    ...record,
    view: {
      ...record.view,
      steps: record.view.steps.map((step) => (isUnfinished(step) ? endStep(step, runStatus, at) : step)),
      completed_at: at,
      duration_ms: event.data.duration_ms,
    },
    fold: { ...record.fold, ready: [], effects: [] },
  };
  const view = base.view;
  switch (event.type) {
    case 'ExecutionCompleted':
      return { ...base, view: { ...view, status: 'completed', decision: event.data.decision, current_step_id: null } };
    case 'ExecutionFailed':
      return { ...base, view: { ...view, status: 'failed', error: event.data.error, current_step_id: event.data.step_id ?? view.current_step_id } };
    case 'ExecutionCancelled':
      return { ...base, view: { ...view, status: 'cancelled' } };
    case 'ExecutionTimedOut':
      return {
        ...base,
        view: {
          ...view,
          status: 'timed_out',
          error: { kind: 'timeout', message: TIMEOUT_MESSAGES[event.data.reason] },
          current_step_id: event.data.step_id ?? view.current_step_id,
        },
      };
  }
}

/** A failed execution runs again from its failed step run; that run's next attempt follows. */
export function retried(record: ExecutionRecord, { data }: ExecutionRetried, at: string): ExecutionRecord {
  const steps = record.view.steps.map((step) => (step.run === data.run ? { ...step, status: 'retrying' as const, completed_at: null } : step));
  if (!steps.some((step) => step.run === data.run)) throw new Error(`retry from step run ${data.run}, which never ran`);
  return {
    ...record,
    view: { ...record.view, status: 'running', error: null, completed_at: null, duration_ms: null, current_step_id: data.from_step_id, updated_at: at, steps },
  };
}
