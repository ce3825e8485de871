import type pg from 'pg';
import type { Logger } from 'pino';
import type { EffectOutcome } from '@iwf/contracts';
import type { ExecutionRunner } from '../execution-runner.js';
import type { ClaimedEffect } from '../work-sync.js';

export interface EffectWorkerDeps {
  readonly pool: pg.Pool;
  readonly runner: ExecutionRunner;
  readonly perform: (effect: ClaimedEffect) => Promise<EffectOutcome>;
  readonly claimer: string;
  readonly leaseMs: number;
  readonly clock: () => Date;
  readonly logger: Logger;
}

const CLAIM = `
  UPDATE iwf_command.engine_effects f SET claimed_by = $1, claimed_until = $2::timestamptz + $3 * interval '1 millisecond'
  FROM (
    SELECT tenant, execution_id, effect_id FROM iwf_command.engine_effects
    WHERE claimed_until IS NULL OR claimed_until < $2::timestamptz
    ORDER BY requested_at LIMIT $4 FOR UPDATE SKIP LOCKED
  ) c
  WHERE f.tenant = c.tenant AND f.execution_id = c.execution_id AND f.effect_id = c.effect_id
  RETURNING f.tenant, f.execution_id, f.effect_id, f.kind, f.idempotency_key, f.request, f.deadline`;

const RENEW = `
  UPDATE iwf_command.engine_effects SET claimed_until = $2::timestamptz + $3 * interval '1 millisecond'
  WHERE claimed_by = $1 AND (tenant, execution_id, effect_id) IN (SELECT * FROM unnest($4::text[], $5::text[], $6::text[]))`;

const SWEEP_BATCH = 100;

const keyOf = (effect: ClaimedEffect): string => `${effect.tenant}\u0000${effect.execution_id}\u0000${effect.effect_id}`;

/**
 * Performs claimed effects and reports each result to its execution. Effects this process
 * requested arrive claimed from the sync; `sweep` takes over rows whose claim lapsed (their
 * process died, or an effect was requested but never claimed), which re-performs an effect
 * requested but not completed with its same idempotency key. Claims in flight are renewed,
 * so a slow call is not taken over while it runs.
 */
export class EffectWorker {
  private readonly inFlight = new Map<string, { effect: ClaimedEffect; done: Promise<void> }>();
  private renewing: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: EffectWorkerDeps) {}

  dispatch(effects: readonly ClaimedEffect[]): void {
    for (const effect of effects) {
      const key = keyOf(effect);
      if (this.inFlight.has(key)) continue;
      const done = this.run(effect).finally(() => {
        this.inFlight.delete(key);
        if (this.inFlight.size === 0) this.stopRenewing();
      });
      this.inFlight.set(key, { effect, done });
      this.startRenewing();
    }
  }

  /** Claims effects nobody holds and performs them; the number claimed. */
  async sweep(): Promise<number> {
    const { pool, claimer, leaseMs, clock } = this.deps;
    const result = await pool.query<ClaimedEffect>(CLAIM, [claimer, clock().toISOString(), leaseMs, SWEEP_BATCH]);
    const claimed = result.rows.map((row) => ({ ...row, deadline: row.deadline === null ? null : new Date(row.deadline).toISOString() }));
    this.dispatch(claimed);
    return claimed.length;
  }

  /** Waits for effects in flight (their results recorded, or given up). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
    this.stopRenewing();
  }

  private async run(effect: ClaimedEffect): Promise<void> {
    const { runner, perform, logger } = this.deps;
    try {
      const outcome = await perform(effect);
      if (outcome.status === 'failed') {
        logger.info({ execution_id: effect.execution_id, effect_id: effect.effect_id, kind: effect.kind, error: outcome.error }, 'effect failed');
      }
      await runner.send(effect.tenant, effect.execution_id, { type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome } }, { actor: 'system:engine' });
    } catch (error) {
      // Left claimed: when the lease lapses the sweep performs it again, with the same key.
      logger.warn({ err: error, execution_id: effect.execution_id, effect_id: effect.effect_id, kind: effect.kind }, 'effect not recorded; it will be retried');
    }
  }

  private startRenewing(): void {
    if (this.renewing !== undefined) return;
    const interval = Math.max(10, Math.floor(this.deps.leaseMs / 3));
    this.renewing = setInterval(() => void this.renew(), interval);
    this.renewing.unref();
  }

  private stopRenewing(): void {
    if (this.renewing !== undefined) clearInterval(this.renewing);
    this.renewing = undefined;
  }

  private async renew(): Promise<void> {
    const effects = [...this.inFlight.values()].map((entry) => entry.effect);
    if (effects.length === 0) return;
    const { pool, claimer, leaseMs, clock, logger } = this.deps;
    await pool
      .query(RENEW, [
        claimer,
        clock().toISOString(),
        leaseMs,
        effects.map((effect) => effect.tenant),
        effects.map((effect) => effect.execution_id),
        effects.map((effect) => effect.effect_id),
      ])
      .catch((error: unknown) => logger.warn({ err: error }, 'renewing effect claims failed'));
  }
}
