import type { PendingWork } from '@iwf/contracts';
import { nextEvents } from './interpreter.js';
import type { ExecutionState } from './state.js';
import { isActive } from './state.js';
import { pendingTimers } from './timers.js';

/**
 * What the runtime must do for this execution now, derived from the state alone (so it can
 * be recomputed after a crash from the stream). See PendingWork in the contracts.
 */
export function pendingWork(state: ExecutionState): PendingWork {
  if (!isActive(state)) {
    return { status: state.status, effects: [], timers: [], waits: [], approvals: [], advance: false };
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
  const waits = state.steps.flatMap((entry) => {
    const wait = entry.progress?.kind === 'wait' ? entry.progress.wait : null;
    return entry.status === 'waiting' && wait !== null ? [{ step_id: entry.step_id, ...wait }] : [];
  });
  const approvals = state.approvals
    .filter((link) => link.blocking && link.status === 'pending' && state.steps[link.run]?.status === 'waiting')
    .map(({ approval_id, step_id, blocking }) => ({ approval_id, step_id, blocking }));
  // Any time works for the probe: only whether something could move matters.
  const advance = nextEvents(state, { now: state.updated_at, rules: {} }).length > 0;
  return { status: state.status, effects, timers, waits, approvals, advance };
}
