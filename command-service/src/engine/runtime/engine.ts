import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore, LogPosition } from '@iwf/contracts';
import type { OutboundPolicy } from '@iwf/platform/security/outbound/policy';
import { ApprovalService, endingOf } from '../../approvals/service.js';
import { catchUpWaits } from '../../ingest/catch-up.js';
import type { IngestAnswer, IngestOptions, IngestRequest } from '../../ingest/ingest.js';
import { ingestEvent } from '../../ingest/ingest.js';
import { indexWorkflow } from '../../ingest/trigger-index.js';
import type { RuleState } from '../../rules/domain/decider.js';
import { indexRule, ruleConditions } from '../../rules/rule-index.js';
import type { WorkflowState } from '../../workflows/domain/state.js';
import type { SecretStore } from '../adapters/secrets.js';
import { createSecretStore } from '../adapters/secrets.js';
import type { EngineConfig } from './config.js';
import { createEffectPorts } from './effects/ports.js';
import { performEffect } from './effects/perform.js';
import { EffectWorker } from './effects/worker.js';
import type { Actor, Loaded } from './execution-runner.js';
import { ExecutionRunner } from './execution-runner.js';
import { housekeeping } from './housekeeping.js';
import { Poller } from './poller.js';
import { createRepairHandlers } from './repair-handlers.js';
import { RepairSubscription } from './repair.js';
import { fireSchedule } from './schedules.js';
import { laterPosition } from './settle.js';
import { StatusBus } from './status-bus.js';
import { TimerService } from './timers.js';

const outboundFetch = (policy: EngineDeps['outbound']) => (policy === undefined ? undefined : (url: URL, init: RequestInit) => policy.fetch(url, init));

export interface EngineDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly logger: Logger;
  readonly config: EngineConfig;
  readonly secrets?: SecretStore | undefined;
  /** Where HTTP effects may go (platform security: OUTBOUND_ALLOWLIST / OUTBOUND_DENYLIST). */
  readonly outbound?: Pick<OutboundPolicy, 'fetch'> | undefined;
}

/**
 * The engine runtime of one process: it drives executions (decide, append, sync work rows,
 * perform effects), ingests events, fires timers and schedules, and repairs its indexes
 * from the log. Several processes may run it on one database; claims and expected
 * revisions keep them from doing anything twice.
 */
export class Engine {
  readonly runner: ExecutionRunner;
  readonly approvals: ApprovalService;
  readonly bus = new StatusBus();
  readonly timers: TimerService;
  readonly effects: EffectWorker;
  /** This process's name on claims it holds. */
  readonly instanceId: string;
  private readonly poller: Poller;
  private readonly repair: RepairSubscription;
  private readonly background = new Set<Promise<unknown>>();
  private started = false;

  constructor(private readonly deps: EngineDeps) {
    const { store, pool, clock, newId, logger, config } = deps;
    this.instanceId = `engine-${newId()}`;
    this.runner = new ExecutionRunner({
      store,
      pool,
      clock,
      newId,
      claimer: this.instanceId,
      leaseMs: config.leaseMs,
      bus: this.bus,
      rules: (tenant, ids) => ruleConditions(pool, tenant, ids),
      hooks: {
        afterSync: (tenant, executionId, _loaded, work, claimed) => this.afterSync(tenant, executionId, work, claimed),
        waitsOpened: (tenant, executionId, loaded, runs) => this.track(catchUpWaits({ store, runner: this.runner }, tenant, executionId, loaded, runs, { actor: 'system:engine' })),
        withdraw: (tenant, _executionId, loaded, approvalIds, actor) => this.withdrawApprovals(tenant, loaded, approvalIds, actor),
      },
    });
    this.approvals = new ApprovalService({ store, pool, runner: this.runner, clock, newId, ingest: (tenant, request, actor) => this.ingest(tenant, request, actor) });
    const ports = createEffectPorts({
      store,
      runner: this.runner,
      approvals: this.approvals,
      ingest: (tenant, request, actor) => this.ingest(tenant, request, actor),
      settings: {
        http: { hostMap: config.hostMap, timeoutMs: config.httpTimeoutMs, responseLimitBytes: config.responseLimitBytes, fetch: outboundFetch(deps.outbound) },
        notify: config.notify,
        enrichment: config.enrichment,
      },
      secrets: deps.secrets ?? createSecretStore(),
      maxChainDepth: config.maxChainDepth,
    });
    this.effects = new EffectWorker({ pool, runner: this.runner, perform: (effect) => performEffect(effect, ports), claimer: this.instanceId, leaseMs: config.leaseMs, clock, logger });
    this.timers = new TimerService({
      pool,
      claimer: this.instanceId,
      leaseMs: config.leaseMs,
      clock,
      logger,
      handlers: {
        fireExecution: async (tenant, executionId, kind, timerId) => {
          await this.runner.send(tenant, executionId, { type: 'FireTimer', data: { kind, timer_id: timerId } }, { actor: 'system:timer' });
        },
        expireApproval: (tenant, approvalId) => this.approvals.expire(tenant, approvalId),
        withdrawApproval: (tenant, approvalId) => this.approvals.withdrawDue(tenant, approvalId),
        tick: (tenant, workflowId, dueAt) => fireSchedule({ pool, runner: this.runner, clock }, tenant, workflowId, dueAt),
      },
    });
    this.poller = new Poller(
      [
        { name: 'timers', run: async () => (await this.timers.fireDue()) > 0 },
        { name: 'effects', run: async () => (await this.effects.sweep()) > 0 },
        { name: 'advance', run: () => this.advanceStuck() },
        housekeeping(pool, clock),
      ],
      config.timerPollMs,
      logger,
      () => this.timers.nextDue(),
    );
    this.repair = new RepairSubscription({
      pool,
      store,
      logger,
      clock,
      graceMs: config.repairGraceMs,
      retryMs: Math.max(config.timerPollMs, 100),
      handlers: createRepairHandlers({ logger, pool, store, runner: this.runner, approvals: this.approvals, clock }),
    });
  }

  get config(): EngineConfig {
    return this.deps.config;
  }

  ingest(tenant: string, request: IngestRequest, actor: Actor, options: IngestOptions = {}): Promise<IngestAnswer> {
    const { store, pool, clock, newId, config } = this.deps;
    return ingestEvent({ store, pool, runner: this.runner, clock, newId, settle: { bus: this.bus, runner: this.runner, pollMs: config.waitPollMs } }, tenant, request, actor, options);
  }

  /** Called right after a workflow command appended (or not): keeps the trigger index current. */
  async workflowCommitted(tenant: string, revision: number, state: WorkflowState): Promise<void> {
    await indexWorkflow(this.deps.pool, tenant, revision, state, this.deps.clock());
    if (this.started) this.poller.wakeAt(this.deps.clock());
  }

  async ruleCommitted(tenant: string, revision: number, state: RuleState): Promise<void> {
    await indexRule(this.deps.pool, tenant, revision, state);
  }

  /** Starts the background workers (when configured): poller and repair subscription. */
  start(): void {
    if (!this.deps.config.workers || this.started) return;
    this.started = true;
    this.poller.start();
    this.repair.start();
  }

  async close(): Promise<void> {
    await this.poller.stop();
    await this.repair.stop();
    await this.drained();
    await this.effects.drain();
  }

  /** Resolves once the commands and catch-up reads this process runs in the background are done. */
  async drained(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private afterSync(tenant: string, executionId: string, work: { readonly timers: readonly { due_at: string }[]; readonly advance: boolean }, claimed: Parameters<EffectWorker['dispatch']>[0]): void {
    this.effects.dispatch(claimed);
    const soonest = work.timers.reduce<string | undefined>((min, timer) => (min === undefined || timer.due_at < min ? timer.due_at : min), undefined);
    if (soonest !== undefined && this.started) this.poller.wakeAt(new Date(soonest));
    if (work.advance) this.track(this.runner.send(tenant, executionId, { type: 'Advance', data: {} }, { actor: 'system:engine' }));
  }

  /**
   * The execution ended with these blocking approvals pending: withdraw them before the command
   * answers. The sync claimed a withdrawal timer for each, so one this fails to withdraw (the
   * database away) is withdrawn by a poller once the claim lapses; the ending stands either way.
   */
  private async withdrawApprovals(tenant: string, loaded: Loaded, approvalIds: readonly string[], actor: Actor): Promise<LogPosition | undefined> {
    const endedAs = endingOf(loaded.state);
    if (endedAs === undefined) return undefined;
    let position: LogPosition | undefined;
    for (const approvalId of approvalIds) {
      try {
        position = laterPosition(position, await this.approvals.withdraw(tenant, approvalId, endedAs, actor));
      } catch (error) {
        this.deps.logger.warn({ err: error, approval_id: approvalId }, 'approval not withdrawn yet; a poller retries when the claim lapses');
      }
    }
    return position;
  }

  /** Executions whose last decision stopped at its step budget, and nobody advanced since (a crash). */
  private async advanceStuck(): Promise<boolean> {
    const result = await this.deps.pool.query<{ tenant: string; execution_id: string }>(
      `SELECT tenant, execution_id FROM iwf_command.engine_executions WHERE advance AND updated_at < $1::timestamptz - $2 * interval '1 millisecond' LIMIT 50`,
      [this.deps.clock().toISOString(), this.deps.config.leaseMs],
    );
    await Promise.all(result.rows.map((row) => this.runner.send(row.tenant, row.execution_id, { type: 'Advance', data: {} }, { actor: 'system:engine' })));
    return false;
  }

  private track(task: Promise<unknown>): void {
    const tracked = task.catch((error: unknown) => this.deps.logger.warn({ err: error }, 'engine background command failed'));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}
