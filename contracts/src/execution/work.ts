import type { EffectKind, ExecutionStatus, StepPath, TimerKind } from './types.js';

/**
 * What the runtime must do for an execution, as a pure function of its state
 * (`pendingWork(state)` in the engine). The runtime performs every effect (idempotently, by
 * `idempotency_key`) and reports each with RecordEffectResult; keeps exactly the listed timers
 * scheduled (cancelling any it holds that are no longer listed) and sends FireTimer when one
 * is due; indexes `waits` so DeliverEvent reaches the execution. A stale command is harmless.
 */
export interface PendingEffect {
  readonly effect_id: string;
  readonly kind: EffectKind;
  readonly request: unknown;
  readonly idempotency_key: string;
  readonly deadline: string | null;
  readonly step_id: string | null;
  readonly path: StepPath;
  readonly requested_at: string;
}

export interface PendingTimer {
  /** Stable: the same timer keeps its id across folds, so scheduling is an upsert. */
  readonly timer_id: string;
  readonly kind: TimerKind;
  readonly due_at: string;
  readonly step_id: string | null;
}

export interface PendingWait {
  readonly step_id: string;
  readonly event_type: string;
  readonly match_field: string;
  readonly match_value: unknown;
  readonly timeout_at: string | null;
}

export interface PendingApproval {
  readonly approval_id: string;
  readonly step_id: string;
  readonly blocking: boolean;
}

/** A blocking approval left pending when its execution ended: the runtime withdraws it (WithdrawApproval). */
export interface PendingWithdrawal {
  readonly approval_id: string;
  readonly step_id: string;
}

export interface PendingWork {
  readonly status: ExecutionStatus | 'not_started';
  readonly effects: readonly PendingEffect[];
  readonly timers: readonly PendingTimer[];
  readonly waits: readonly PendingWait[];
  /** Blocking approvals whose decision the execution waits for (ResolveApproval). */
  readonly approvals: readonly PendingApproval[];
  /**
   * Of an ended execution only: the blocking approvals it never got a decision for. Listed
   * for good (the execution does not learn of the withdrawal); withdrawing is idempotent.
   */
  readonly withdrawals: readonly PendingWithdrawal[];
  /** True when an Advance would do more (a decide stopped at its per-command step budget). */
  readonly advance: boolean;
}
