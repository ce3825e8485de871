import type pg from 'pg';
import type { Logger } from 'pino';
import type { TimerKind } from '@iwf/contracts';

export interface DueTimer {
  readonly tenant: string;
  readonly owner_kind: 'execution' | 'approval' | 'schedule';
  readonly owner_id: string;
  readonly timer_id: string;
  readonly kind: string;
  readonly due_at: Date;
}

export interface TimerHandlers {
  fireExecution(tenant: string, executionId: string, kind: TimerKind, timerId: string): Promise<void>;
  expireApproval(tenant: string, approvalId: string): Promise<void>;
  /** An ended execution's withdrawal of its approval, left over by a process that died before making it. */
  withdrawApproval(tenant: string, approvalId: string): Promise<void>;
  tick(tenant: string, workflowId: string, dueAt: Date): Promise<void>;
}

export interface TimerServiceDeps {
  readonly pool: pg.Pool;
  readonly claimer: string;
  readonly leaseMs: number;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly handlers: TimerHandlers;
}

/**
 * Claims due timers with FOR UPDATE SKIP LOCKED (so replicas split them, never share one)
 * and a lease (so a claimer that dies gives them back), and fires each. Firing is safe to
 * repeat: a timer the execution no longer lists changes nothing, an approval expires once,
 * and a schedule tick starts an execution whose id is derived from the tick.
 */
const CLAIM = `
  UPDATE iwf_command.engine_timers t SET claimed_by = $1, claimed_until = $2::timestamptz + $3 * interval '1 millisecond'
  FROM (
    SELECT tenant, owner_kind, owner_id, timer_id FROM iwf_command.engine_timers
    WHERE due_at <= $2::timestamptz AND (claimed_until IS NULL OR claimed_until < $2::timestamptz)
    ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED
  ) d
  WHERE t.tenant = d.tenant AND t.owner_kind = d.owner_kind AND t.owner_id = d.owner_id AND t.timer_id = d.timer_id
  RETURNING t.tenant, t.owner_kind, t.owner_id, t.timer_id, t.kind, t.due_at`;

const BATCH = 100;

export class TimerService {
  constructor(private readonly deps: TimerServiceDeps) {}

  /** Fires the timers due now; the number claimed. */
  async fireDue(): Promise<number> {
    const { pool, claimer, leaseMs, clock } = this.deps;
    const result = await pool.query<DueTimer>(CLAIM, [claimer, clock().toISOString(), leaseMs, BATCH]);
    await Promise.all(result.rows.map((timer) => this.fire(timer)));
    return result.rows.length;
  }

  /** When the next unclaimed timer is due (undefined: none). */
  async nextDue(): Promise<Date | undefined> {
    const { pool, clock } = this.deps;
    const result = await pool.query<{ due: Date | null }>(
      'SELECT min(due_at) AS due FROM iwf_command.engine_timers WHERE claimed_until IS NULL OR claimed_until < $1::timestamptz',
      [clock().toISOString()],
    );
    return result.rows[0]?.due ?? undefined;
  }

  private async fire(timer: DueTimer): Promise<void> {
    const { handlers, logger } = this.deps;
    try {
      switch (timer.owner_kind) {
        case 'execution':
          return await handlers.fireExecution(timer.tenant, timer.owner_id, timer.kind as TimerKind, timer.timer_id);
        case 'approval':
          if (timer.kind === WITHDRAWAL_KIND) return await handlers.withdrawApproval(timer.tenant, timer.owner_id);
          return await handlers.expireApproval(timer.tenant, timer.owner_id);
        case 'schedule':
          return await handlers.tick(timer.tenant, timer.owner_id, timer.due_at);
      }
    } catch (error) {
      // Still claimed: it fires again once the lease lapses.
      logger.warn({ err: error, timer_id: timer.timer_id, owner: `${timer.owner_kind}:${timer.owner_id}` }, 'timer not fired; it will be retried');
    }
  }
}

/** Removes a timer of an approval or schedule whose purpose is over. */
export async function dropTimer(db: Pick<pg.Pool, 'query'>, tenant: string, ownerKind: 'approval' | 'schedule', ownerId: string): Promise<void> {
  await db.query('DELETE FROM iwf_command.engine_timers WHERE tenant = $1 AND owner_kind = $2 AND owner_id = $3', [tenant, ownerKind, ownerId]);
}

/** The kind of an approval's withdrawal timer, written by the sync of its execution's ending (`work-sync.ts`). */
export const WITHDRAWAL_KIND = 'approval_withdrawal';

/** Removes an approval's withdrawal timer only (its expiry stays). */
export async function dropWithdrawal(db: Pick<pg.Pool, 'query'>, tenant: string, approvalId: string): Promise<void> {
  await db.query(`DELETE FROM iwf_command.engine_timers WHERE tenant = $1 AND owner_kind = 'approval' AND owner_id = $2 AND kind = $3`, [tenant, approvalId, WITHDRAWAL_KIND]);
}

/** Sets an approval's expiry timer (kept if it is already there). */
export async function scheduleApprovalExpiry(db: Pick<pg.Pool, 'query'>, tenant: string, approvalId: string, expiresAt: string): Promise<void> {
  await db.query(
    `INSERT INTO iwf_command.engine_timers (tenant, owner_kind, owner_id, timer_id, kind, due_at) VALUES ($1, 'approval', $2, 'expiry', 'approval_expiry', $3)
     ON CONFLICT (tenant, owner_kind, owner_id, timer_id) DO NOTHING`,
    [tenant, approvalId, expiresAt],
  );
}
