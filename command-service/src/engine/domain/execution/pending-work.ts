import type { PendingWork } from '@iwf/contracts';
import { nextEvents } from './interpreter.js';
import type { ExecutionState, WaitState } from './state.js';
import { isActive } from './state.js';
import { pendingTimers } from './timers.js';

/** The waits still open in an active execution: each waiting step's run and what it waits for. */
export function openWaits(state: ExecutionState): { readonly step_id: string; readonly run: number; readonly wait: WaitState }[] {
  if (!isActive(state)) return [];
  return state.steps.flatMap((entry) => {
    const wait = entry.status === 'waiting' && entry.progress?.kind === 'wait' ? entry.progress.wait : null;
    return wait === null ? [] : [{ step_id: entry.step_id, run: entry.run, wait }];
  });
}

/**
 * What the runtime must do for this execution now, derived from the state alone (so it can
 * be recomputed after a crash from the stream). See PendingWork in the contracts.
 */
export function pendingWork(state: ExecutionState): PendingWork {
  if (state.status === 'not_started') return { status: state.status, effects: [], timers: [], waits: [], approvals: [], withdrawals: [], advance: false };
  if (!isActive(state)) {
    // It ended while waiting for these decisions: they are withdrawn (a non-blocking approval outlives it).
    const withdrawals = state.approvals.filter((link) => link.blocking && link.status === 'pending').map(({ approval_id, step_id }) => ({ approval_id, step_id }));
    return { status: state.status, effects: [], timers: [], waits: [], approvals: [], withdrawals, advance: false };
  }
  const effects = state.effects.map(({ effect_id, kind, request, idempotency_key, deadline, step_id, path, requested_at }) => ({
    effect_id,
    kind,
    request,
    idempotency_key,
    deadline,
    step_id,
    path,
    requested_at,
  }));
  const timers = pendingTimers(state).map(({ timer_id, kind, due_at, step_id }) => ({ timer_id, kind, due_at, step_id }));
  const waits = openWaits(state).map(({ step_id, wait }) => ({ step_id, ...wait }));
  const approvals = state.approvals
    .filter((link) => link.blocking && link.status === 'pending' && state.steps[link.run]?.status === 'waiting')
    .map(({ approval_id, step_id, blocking }) => ({ approval_id, step_id, blocking }));
  // Any time works for the probe: only whether something could move matters.
  const advance = nextEvents(state, { now: state.updated_at, rules: {} }).length > 0;
  return { status: state.status, effects, timers, waits, approvals, withdrawals: [], advance };
}
