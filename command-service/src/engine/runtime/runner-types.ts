import type pg from 'pg';
import type { EventStore, ExecutionCommand, LogPosition, PendingWork, RuleConditions } from '@iwf/contracts';
import type { ExecutionState } from '../domain/execution/index.js';
import type { OpenedAt } from './open-waits.js';
import type { StatusBus } from './status-bus.js';
import type { ClaimedEffect } from './work-sync.js';

/** Who sends a command, and for which request: stamped on the events it appends. */
export interface Actor {
  readonly actor: string;
  readonly correlation_id?: string | undefined;
  readonly causation_id?: string | undefined;
  readonly traceparent?: string | undefined;
  /** How many emits led to this execution's trigger event (0: a client sent it). */
  readonly chain_depth?: number | undefined;
}

/** Carried from an execution's first event to all its later ones. */
export interface Origin {
  readonly correlation_id: string;
  readonly chain_depth: number;
}

export interface Loaded {
  readonly state: ExecutionState;
  readonly revision: number;
  readonly origin: Origin | undefined;
  readonly position: LogPosition | undefined;
  /** Where the open waits' WaitStarted are in the log: events recorded after count for them. */
  readonly opened: OpenedAt;
}

/**
 * A command's outcome. `position` is the latest the command appended before answering: the
 * execution's events, and the withdrawals of the approvals an ending left pending.
 */
export interface Applied extends Loaded {
  readonly appended: number;
}

export interface RunnerHooks {
  /** After every sync: perform the claimed effects, re-arm timers, advance when asked. */
  afterSync(tenant: string, executionId: string, loaded: Loaded, work: PendingWork, claimed: readonly ClaimedEffect[]): void;
  /** After the rows of newly opened waits (these runs) are written: offer them what was recorded since. */
  waitsOpened(tenant: string, executionId: string, loaded: Loaded, runs: readonly number[]): void;
  /**
   * After a sync that claimed withdrawals (the execution ended while these blocking approvals
   * were pending): withdraw them, before the command answers. The position of what that
   * appended; a failure is left to the claim's lease, so it resolves rather than throws.
   */
  withdraw(tenant: string, executionId: string, loaded: Loaded, approvalIds: readonly string[], actor: Actor): Promise<LogPosition | undefined>;
}

export interface SendOptions {
  /** Decide only while the state passes this check; a refusal is believed only on a fresh read. */
  readonly onlyIf?: ((state: ExecutionState) => boolean) | undefined;
  /** From `If-Match`: the revision the client last saw. A decided command on another revision is a 412. */
  readonly ifMatch?: number | undefined;
}

export interface RunnerDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly claimer: string;
  readonly leaseMs: number;
  readonly bus: StatusBus;
  readonly rules: (tenant: string, ids: readonly string[]) => Promise<RuleConditions>;
  readonly hooks: RunnerHooks;
}

/** A command as the engine sends it: the runner adds the time and the rules it needs. */
type Bare<C extends ExecutionCommand> = C extends { data: infer D } ? { type: C['type']; data: Omit<D, 'rules' | 'now'> } : never;
export type EngineCommand = Bare<ExecutionCommand>;
