import type pg from 'pg';
import type { ApprovalCommand, ApprovalEffectRequest, ApprovalEvent, EventStore, JsonRecord, LogPosition, Principal, WithdrawnBecause } from '@iwf/contracts';
import { APPROVAL_BUSINESS_EVENT_TYPES, currentSchemaVersion, streamId, upcastRecorded } from '@iwf/contracts';
import type { CommandOutcome } from '../command-handling/handle-command.js';
import { handleCommand } from '../command-handling/handle-command.js';
import type { ApprovalState, ExecutionState } from '../engine/domain/execution/index.js';
import { approvalDecider } from '../engine/domain/execution/index.js';
import type { Actor, ExecutionRunner } from '../engine/runtime/execution-runner.js';
import { engineIds } from '../engine/runtime/ids.js';
import { laterPosition } from '../engine/runtime/settle.js';
import { dropTimer, dropWithdrawal, scheduleApprovalExpiry } from '../engine/runtime/timers.js';
import type { IngestAnswer, IngestRequest } from '../ingest/ingest.js';

export interface ApprovalDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly runner: ExecutionRunner;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly ingest: (tenant: string, request: IngestRequest, actor: Actor) => Promise<IngestAnswer>;
}

type Present = Exclude<ApprovalState, { status: 'absent' }>;
type Decided = Present & { readonly status: 'approved' | 'rejected' | 'expired' };

/** How an execution ended; undefined while it runs (or never started). */
export function endingOf(state: ExecutionState): WithdrawnBecause | undefined {
  switch (state.status) {
    case 'completed':
    case 'failed':
    case 'cancelled':
    case 'timed_out':
      return state.status;
    case 'not_started':
    case 'running':
    case 'waiting':
      return undefined;
  }
}

export interface DecisionOutcome {
  readonly state: ApprovalState;
  readonly revision: number;
  readonly position: LogPosition | undefined;
}

/**
 * The approval aggregate's runtime: creation (an engine effect), decisions (people), expiry
 * (a timer), withdrawal (the execution an approval step blocks ended), and what every
 * decision entails: a business event `approval.<status>` (so workflows and waits react) and,
 * for an approval step, resolving the execution it blocks.
 */
export class ApprovalService {
  constructor(private readonly deps: ApprovalDeps) {}

  async create(tenant: string, request: ApprovalEffectRequest, actor: Actor): Promise<{ approval_id: string; expires_at: string }> {
    const outcome = await this.run(tenant, request.approval_id, { type: 'CreateApproval', data: { ...request, now: this.now() } }, actor);
    if (outcome.state.status === 'pending') {
      await scheduleApprovalExpiry(this.deps.pool, tenant, request.approval_id, outcome.state.expires_at);
      // The execution may have ended while this effect was in flight: its withdrawal found no approval then.
      if (outcome.state.blocking) await this.withdrawIfEnded(tenant, outcome.state, actor);
    }
    return { approval_id: request.approval_id, expires_at: request.expires_at };
  }

  /**
   * The execution this blocking approval holds up has ended: withdraw it (once), and drop its
   * timers. The position of the withdrawal, also when another process made it.
   */
  async withdraw(tenant: string, approvalId: string, endedAs: WithdrawnBecause, actor: Actor): Promise<LogPosition | undefined> {
    const outcome = await this.run(tenant, approvalId, { type: 'WithdrawApproval', data: { execution_status: endedAs, now: this.now() } }, actor);
    // A non-blocking approval stays pending, with its expiry.
    if (outcome.state.status === 'pending') await dropWithdrawal(this.deps.pool, tenant, approvalId);
    else await dropTimer(this.deps.pool, tenant, 'approval', approvalId);
    return outcome.state.status === 'withdrawn' ? outcome.position : undefined;
  }

  /** A withdrawal timer is due (its appender died before withdrawing): withdraw if the execution is still over. */
  async withdrawDue(tenant: string, approvalId: string): Promise<void> {
    const state = await this.load(tenant, approvalId);
    const withdrawn = state.status === 'pending' && state.blocking && (await this.withdrawIfEnded(tenant, state, { actor: 'system:timer' }));
    if (!withdrawn) await dropWithdrawal(this.deps.pool, tenant, approvalId);
  }

  /** `ifMatch`: the approval's revision the person decided on (from its ETag); another revision is a 412. */
  async decide(tenant: string, approvalId: string, principal: Principal, approve: boolean, comment: string | null, actor: Actor, ifMatch?: number): Promise<DecisionOutcome> {
    const data = { principal, comment, now: this.now() };
    const outcome = await this.run(tenant, approvalId, approve ? { type: 'ApproveApproval', data } : { type: 'RejectApproval', data }, actor, ifMatch);
    const followed = await this.followUp(tenant, outcome.state, actor, outcome.appended > 0);
    return { state: outcome.state, revision: outcome.revision, position: laterPosition(outcome.position, followed) };
  }

  /**
   * Where the previous version recorded this decision's business event, under the id without
   * the prefix, if it did: a follow-up repeated after an upgrade (the repair subscription's)
   * must not ingest it again. A record of another type, or one received before the decision
   * (a client that took that id first), is not the decision's.
   */
  private async ingestedByPreviousVersion(tenant: string, decided: Decided, eventType: string): Promise<LogPosition | undefined> {
    const legacy = streamId('ingest', tenant, engineIds.legacyApprovalEvent(tenant, decided.approval_id, decided.status));
    const [recorded] = await this.deps.store.readStream(legacy, { max_count: 1 });
    const data = recorded?.data as { event_type?: unknown; received_at?: unknown } | undefined;
    const after = typeof data?.received_at === 'string' && decided.decided_at !== null && Date.parse(data.received_at) >= Date.parse(decided.decided_at);
    return recorded !== undefined && data?.event_type === eventType && after ? recorded.position : undefined;
  }

  /** The expiry timer is due: expire a pending approval (once), then follow up. */
  async expire(tenant: string, approvalId: string): Promise<void> {
    const actor = { actor: 'system:timer' };
    const outcome = await this.run(tenant, approvalId, { type: 'ExpireApproval', data: { now: this.now() } }, actor);
    if (outcome.state.status !== 'pending') await this.followUp(tenant, outcome.state, actor, outcome.appended > 0);
  }

  /**
   * Idempotent: the business event's id is derived from the approval and its decision, and
   * resolving an execution twice changes nothing. The repair subscription calls it again
   * for decisions whose process died before following up.
   */
  async followUp(tenant: string, state: ApprovalState, actor: Actor, decidedNow = false): Promise<LogPosition | undefined> {
    if (state.status === 'absent' || state.status === 'pending') return undefined;
    // Nobody decided a withdrawn approval, and its execution has ended: nothing to tell anyone.
    if (state.status === 'withdrawn') {
      await dropTimer(this.deps.pool, tenant, 'approval', state.approval_id);
      return undefined;
    }
    const decided = state as Decided;
    const event = businessEvent(tenant, decided);
    // A decision this call made was never followed up by the previous version: no need to look.
    const previous = decidedNow ? undefined : await this.ingestedByPreviousVersion(tenant, decided, event.event_type);
    let position = previous ?? (await this.deps.ingest(tenant, event, { ...actor, actor: actor.actor })).position;
    if (decided.blocking) {
      const resolved = await this.deps.runner.send(
        tenant,
        decided.execution_id,
        { type: 'ResolveApproval', data: { approval_id: decided.approval_id, status: decided.status, decided_by: decided.decided_by, comment: decided.comment } },
        actor,
      );
      position = laterPosition(position, resolved.appended > 0 ? resolved.position : undefined);
    }
    await dropTimer(this.deps.pool, tenant, 'approval', decided.approval_id);
    return position;
  }

  /** The approval as its stream has it now. */
  async load(tenant: string, approvalId: string): Promise<ApprovalState> {
    const events = await this.deps.store.readStream(streamId('approval', tenant, approvalId));
    return events.reduce<ApprovalState>((state, event) => approvalDecider.evolve(state, upcastRecorded(event) as unknown as ApprovalEvent), approvalDecider.initialState);
  }

  /** Re-arms the expiry of a pending approval, or withdraws it if its execution ended meanwhile (crash repair). */
  async ensureExpiry(tenant: string, approvalId: string): Promise<void> {
    const state = await this.load(tenant, approvalId);
    const actor = { actor: 'system:engine' };
    if (state.status !== 'pending') {
      await this.followUp(tenant, state, actor);
      return;
    }
    await scheduleApprovalExpiry(this.deps.pool, tenant, approvalId, state.expires_at);
    if (state.blocking) await this.withdrawIfEnded(tenant, state, actor);
  }

  /** Withdraws a pending blocking approval whose execution has ended (read fresh: another process may have ended it). */
  private async withdrawIfEnded(tenant: string, state: Present, actor: Actor): Promise<boolean> {
    const endedAs = endingOf((await this.deps.runner.read(tenant, state.execution_id)).state);
    if (endedAs === undefined) return false;
    await this.withdraw(tenant, state.approval_id, endedAs, actor);
    return true;
  }

  private run(tenant: string, approvalId: string, command: ApprovalCommand, actor: Actor, ifMatch?: number): Promise<CommandOutcome<ApprovalState>> {
    const metadata = { tenant, actor: actor.actor, correlation_id: actor.correlation_id ?? this.deps.newId(), causation_id: actor.causation_id };
    const context = { store: this.deps.store, metadata, newEventId: this.deps.newId, schemaVersionOf: currentSchemaVersion, upcast: upcastRecorded };
    return handleCommand(context, approvalDecider, { streamId: streamId('approval', tenant, approvalId), command, ifMatch });
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }
}

/** `approval.approved|rejected|expired` with the approval and its entity (also under the entity's own name, for wait correlation). */
function businessEvent(tenant: string, state: Decided): IngestRequest {
  const approval: JsonRecord = {
    approval_id: state.approval_id,
    execution_id: state.execution_id,
    workflow_id: state.workflow_id,
    step_id: state.step_id,
    status: state.status,
    approver_role: state.approver_role,
    entity: state.entity,
    entity_id: state.entity_id,
    reason: state.reason,
    data: state.data,
    expires_at: state.expires_at,
    decided_by: state.decided_by,
    decided_at: state.decided_at,
    comment: state.comment,
  };
  const payload: Record<string, unknown> = { approval, entity: { type: state.entity, id: state.entity_id } };
  if (state.entity !== '' && !(state.entity in payload)) payload[state.entity] = { id: state.entity_id };
  const type = state.status === 'approved' ? 'ApprovalApproved' : state.status === 'rejected' ? 'ApprovalRejected' : 'ApprovalExpired';
  return { event_type: APPROVAL_BUSINESS_EVENT_TYPES[type], payload, source: 'approvals', event_id: engineIds.approvalEvent(tenant, state.approval_id, state.status) };
}
