import type pg from 'pg';
import type { EffectKind, PendingWork } from '@iwf/contracts';
import type { IndexedWait } from './open-waits.js';
import { WITHDRAWAL_KIND } from './timers.js';

type Db = Pick<pg.Pool, 'query'>;

/** An effect row this process inserted and so claimed: it performs it. */
export interface ClaimedEffect {
  readonly tenant: string;
  readonly execution_id: string;
  readonly effect_id: string;
  readonly kind: EffectKind;
  readonly idempotency_key: string;
  readonly request: unknown;
  readonly deadline: string | null;
}

export interface SyncTarget {
  readonly tenant: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly revision: number;
  readonly work: PendingWork;
  /** The work's waits, with their runs and where they opened in the log. */
  readonly waits: readonly IndexedWait[];
}

export interface SyncOptions {
  readonly claimer: string;
  readonly leaseMs: number;
  readonly now: Date;
}

/**
 * Makes the execution's rows equal to its pending work at a stream revision (effects and timers
 * from `work`, waits from `waits`, which also carry their runs and opening positions), in one statement, unless a newer revision was synced already (a late writer
 * never undoes a newer sync). New effect rows are claimed for this process: it performs
 * them. Existing ones keep their claim, and a timer keeps its claim unless its due time moved.
 * A wait row keeps the position it opened at while it is the same run.
 *
 * An ended execution's withdrawals become approval timers (`withdrawal`, due at once), in the
 * same statement as the ending's sync, so a crash before the withdrawal leaves them to the
 * poller. They are claimed for this process, which withdraws at once; they are written only
 * by a sync that moves the revision on, so syncing the same ending again writes none back.
 */
const SYNC = `
  WITH prev AS (SELECT synced_revision FROM iwf_command.engine_executions WHERE tenant = $1 AND execution_id = $2),
  head AS (
    INSERT INTO iwf_command.engine_executions AS e (tenant, execution_id, workflow_id, status, synced_revision, advance)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (tenant, execution_id) DO UPDATE SET status = EXCLUDED.status, synced_revision = EXCLUDED.synced_revision,
      advance = EXCLUDED.advance, updated_at = now()
    WHERE e.synced_revision <= EXCLUDED.synced_revision
    RETURNING tenant, execution_id
  ),
  fx AS (SELECT * FROM jsonb_to_recordset($7::jsonb) AS x(effect_id text, kind text, idempotency_key text, request jsonb, deadline timestamptz, requested_at timestamptz)),
  tm AS (SELECT * FROM jsonb_to_recordset($8::jsonb) AS x(timer_id text, kind text, due_at timestamptz)),
  wt AS (SELECT * FROM jsonb_to_recordset($9::jsonb) AS x(step_id text, run integer, event_type text, match_field text, match_value jsonb,
    opened_commit bigint, opened_prepare bigint)),
  fx_gone AS (
    DELETE FROM iwf_command.engine_effects f USING head WHERE f.tenant = head.tenant AND f.execution_id = head.execution_id
      AND f.effect_id NOT IN (SELECT effect_id FROM fx)
  ),
  fx_new AS (
    INSERT INTO iwf_command.engine_effects (tenant, execution_id, effect_id, kind, idempotency_key, request, deadline, requested_at, claimed_by, claimed_until)
    SELECT head.tenant, head.execution_id, fx.effect_id, fx.kind, fx.idempotency_key, fx.request, fx.deadline, fx.requested_at,
      $10, $11::timestamptz + $12 * interval '1 millisecond'
    FROM head, fx
    ON CONFLICT (tenant, execution_id, effect_id) DO NOTHING
    RETURNING tenant, execution_id, effect_id, kind, idempotency_key, request, deadline
  ),
  tm_gone AS (
    DELETE FROM iwf_command.engine_timers t USING head WHERE t.tenant = head.tenant AND t.owner_kind = 'execution'
      AND t.owner_id = head.execution_id AND t.timer_id NOT IN (SELECT timer_id FROM tm)
  ),
  tm_new AS (
    INSERT INTO iwf_command.engine_timers (tenant, owner_kind, owner_id, timer_id, kind, due_at)
    SELECT head.tenant, 'execution', head.execution_id, tm.timer_id, tm.kind, tm.due_at FROM head, tm
    ON CONFLICT (tenant, owner_kind, owner_id, timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, kind = EXCLUDED.kind,
      claimed_by = NULL, claimed_until = NULL
    WHERE iwf_command.engine_timers.due_at IS DISTINCT FROM EXCLUDED.due_at
  ),
  wt_gone AS (
    DELETE FROM iwf_command.engine_waits w USING head WHERE w.tenant = head.tenant AND w.execution_id = head.execution_id
      AND w.step_id NOT IN (SELECT step_id FROM wt)
  ),
  wt_new AS (
    INSERT INTO iwf_command.engine_waits AS w (tenant, execution_id, step_id, run, event_type, match_field, match_value, opened_commit, opened_prepare)
    SELECT head.tenant, head.execution_id, wt.step_id, wt.run, wt.event_type, wt.match_field, wt.match_value, wt.opened_commit, wt.opened_prepare
    FROM head, wt
    ON CONFLICT (tenant, execution_id, step_id) DO UPDATE SET event_type = EXCLUDED.event_type, match_field = EXCLUDED.match_field,
      match_value = EXCLUDED.match_value, run = EXCLUDED.run,
      opened_commit = CASE WHEN EXCLUDED.opened_commit IS NULL AND w.run = EXCLUDED.run THEN w.opened_commit ELSE EXCLUDED.opened_commit END,
      opened_prepare = CASE WHEN EXCLUDED.opened_commit IS NULL AND w.run = EXCLUDED.run THEN w.opened_prepare ELSE EXCLUDED.opened_prepare END
  ),
  wd AS (SELECT * FROM jsonb_to_recordset($13::jsonb) AS x(approval_id text)),
  wd_new AS (
    INSERT INTO iwf_command.engine_timers (tenant, owner_kind, owner_id, timer_id, kind, due_at, claimed_by, claimed_until)
    SELECT head.tenant, 'approval', wd.approval_id, 'withdrawal', '${WITHDRAWAL_KIND}', $11::timestamptz, $10, $11::timestamptz + $12 * interval '1 millisecond'
    FROM head, wd
    WHERE NOT EXISTS (SELECT 1 FROM prev WHERE prev.synced_revision >= $5)
    ON CONFLICT (tenant, owner_kind, owner_id, timer_id) DO NOTHING
    RETURNING owner_id
  )
  SELECT (SELECT count(*)::int FROM head) AS synced,
    COALESCE((SELECT jsonb_agg(to_jsonb(fx_new)) FROM fx_new), '[]'::jsonb) AS claimed,
    COALESCE((SELECT jsonb_agg(owner_id) FROM wd_new), '[]'::jsonb) AS withdrawing`;

export interface SyncResult {
  /** False when a newer revision had been synced already (nothing was changed). */
  readonly synced: boolean;
  readonly claimed: readonly ClaimedEffect[];
  /** Approvals whose withdrawal this sync claimed for this process (the execution just ended). */
  readonly withdrawing: readonly string[];
}

export async function syncWork(db: Db, target: SyncTarget, options: SyncOptions): Promise<SyncResult> {
  const { work } = target;
  const effects = work.effects.map(({ effect_id, kind, idempotency_key, request, deadline, requested_at }) => ({
    effect_id,
    kind,
    idempotency_key,
    request,
    deadline,
    requested_at,
  }));
  const timers = work.timers.map(({ timer_id, kind, due_at }) => ({ timer_id, kind, due_at }));
  const waits = target.waits.map(({ step_id, run, event_type, match_field, match_value, opened }) => ({
    step_id,
    run,
    event_type,
    match_field,
    match_value: match_value ?? null,
    opened_commit: opened?.commit.toString() ?? null,
    opened_prepare: opened?.prepare.toString() ?? null,
  }));
  const withdrawals = work.withdrawals.map(({ approval_id }) => ({ approval_id }));
  const result = await db.query<{ synced: number; claimed: ClaimedEffect[]; withdrawing: string[] }>({
    name: 'iwf_engine_sync_work',
    text: SYNC,
    values: [
      target.tenant,
      target.execution_id,
      target.workflow_id,
      work.status,
      target.revision,
      work.advance,
      JSON.stringify(effects),
      JSON.stringify(timers),
      JSON.stringify(waits),
      options.claimer,
      options.now.toISOString(),
      options.leaseMs,
      JSON.stringify(withdrawals),
    ],
  });
  const row = result.rows[0];
  return { synced: (row?.synced ?? 0) > 0, claimed: (row?.claimed ?? []).map(normaliseDeadline), withdrawing: row?.withdrawing ?? [] };
}

// jsonb renders timestamps in the server's format; the effect code wants ISO-8601 UTC.
const normaliseDeadline = (effect: ClaimedEffect): ClaimedEffect => ({
  ...effect,
  deadline: effect.deadline === null ? null : new Date(effect.deadline).toISOString(),
});

/** Synced revisions of these executions (absent: never synced). */
export async function syncedRevisions(db: Db, keys: readonly { tenant: string; execution_id: string }[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const result = await db.query<{ tenant: string; execution_id: string; synced_revision: number }>(
    `SELECT e.tenant, e.execution_id, e.synced_revision::int AS synced_revision FROM iwf_command.engine_executions e
     JOIN unnest($1::text[], $2::text[]) AS k(tenant, execution_id) USING (tenant, execution_id)`,
    [keys.map((key) => key.tenant), keys.map((key) => key.execution_id)],
  );
  return new Map(result.rows.map((row) => [`${row.tenant}\u0000${row.execution_id}`, row.synced_revision]));
}
