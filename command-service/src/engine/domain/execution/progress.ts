import type { Step } from '@iwf/contracts';
import { parseDuration } from '@iwf/contracts';
import type { RunProgress } from './state.js';

/** The progress a step run starts an attempt with. */
export function initialProgress(step: Step | undefined): RunProgress {
  switch (step?.type) {
    case 'action':
    case 'execute':
    case undefined:
      return { kind: 'items', decided: false, next_item: 0, pending_effect: null, results: [] };
    case 'condition':
      return { kind: 'condition' };
    case 'parallel':
      return { kind: 'parallel', strategy: null, threads: [] };
    case 'foreach':
      return { kind: 'foreach', items: null, item_var: step.foreach.item_var ?? 'item', index: -1, thread: null };
    case 'wait':
      return { kind: 'wait', wait: null };
    case 'approval':
      return { kind: 'approval', approval_id: null };
  }
}

/**
 * A retry resumes an execute list at the item that failed (earlier items already took
 * effect); any other step starts over.
 */
export function retryProgress(previous: RunProgress | null, step: Step | undefined): RunProgress {
  if (previous?.kind === 'items') return { ...previous, pending_effect: null };
  return initialProgress(step);
}

/** The deadline of an attempt under the step's `timeout`, or null without one. */
export function attemptDeadline(step: Step | undefined, startedAt: string): string | null {
  const timeout = step !== undefined && 'timeout' in step && typeof step.timeout === 'string' ? parseDuration(step.timeout) : undefined;
  return timeout === undefined || timeout <= 0 ? null : addMs(startedAt, timeout);
}

/** ISO time plus milliseconds; an unreadable time stays as it is. */
export function addMs(iso: string, ms: number): string {
  const base = Date.parse(iso);
  if (Number.isNaN(base)) return iso;
  const date = new Date(base + ms);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString();
}

export const msBetween = (from: string, to: string): number => {
  const difference = Date.parse(to) - Date.parse(from);
  return Number.isFinite(difference) ? Math.max(0, difference) : 0;
};

/** True when `now` is at or after `due` (both ISO times). */
export const isDue = (due: string, now: string): boolean => {
  const dueMs = Date.parse(due);
  const nowMs = Date.parse(now);
  return !Number.isNaN(dueMs) && !Number.isNaN(nowMs) && nowMs >= dueMs;
};
