import type pg from 'pg';
import type { EventIngested, EventStore, JsonRecord, LogPosition } from '@iwf/contracts';
import { DuplicateEventIdError, WrongExpectedRevisionError, currentSchemaVersion, streamId } from '@iwf/contracts';
import type { Actor, ExecutionRunner } from '../engine/runtime/execution-runner.js';
import { engineIds } from '../engine/runtime/ids.js';
import type { SettleDeps } from '../engine/runtime/settle.js';
import { laterPosition, settle } from '../engine/runtime/settle.js';
import type { ExecutionStatus } from '../engine/runtime/status-bus.js';
import { startExecution } from './start.js';
import { triggeredBy } from './lookup.js';
import { recoverIngested } from './recover.js';
import { deliverIngested } from './waits.js';

export interface IngestRequest {
  readonly event_type: string;
  readonly payload: JsonRecord;
  readonly source: string;
  readonly event_id?: string | undefined;
}

export interface IngestOptions {
  /** Answer once no started execution is `running`, bounded by this deadline (epoch ms). */
  readonly waitUntil?: number | undefined;
}

export interface ExecutionSummary {
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly status: string;
  readonly decision: string | null;
}

export interface IngestAnswer {
  readonly event_id: string;
  readonly executions: readonly ExecutionSummary[];
  /** Waiting executions this event resumed. */
  readonly resumed: readonly ExecutionSummary[];
  readonly position: LogPosition | undefined;
  /** True when the event id had been ingested before: nothing new was started. */
  readonly replayed: boolean;
}

export interface IngestDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly runner: ExecutionRunner;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly settle: SettleDeps;
}

/**
 * Ingests one business event: starts an execution of every enabled workflow whose trigger
 * matches (pinned to the definition revision current now, with an id derived from the event
 * and the workflow, so a retry starts nothing twice), records the event with the executions
 * in `ingest:<tenant>:<event_id>`, then offers it to the waits that opened before the record.
 * The waits are read only once the record has committed: a wait whose row appears later
 * reads the record itself (catch-up.ts), so no event falls between the two. The trigger
 * index read here is written with every workflow command, never a read model.
 */
export async function ingestEvent(deps: IngestDeps, tenant: string, request: IngestRequest, actor: Actor, options: IngestOptions = {}): Promise<IngestAnswer> {
  const eventId = request.event_id ?? deps.newId();
  const stream = streamId('ingest', tenant, eventId);
  // A generated id is new by construction; only a caller's id may have been ingested before.
  if (request.event_id !== undefined) {
    const [recorded] = await deps.store.readStream(stream, { max_count: 1 });
    if (recorded !== undefined) return replay(deps, tenant, recorded.data as EventIngested['data'], recorded.position, actor, options);
  }
  const receivedAt = deps.clock().toISOString();
  const matches = await triggeredBy(deps.pool, tenant, request.event_type);
  const event = { id: eventId, type: request.event_type, source: request.source, received_at: receivedAt };
  const trigger = { kind: 'event' as const, event_id: eventId, event_type: request.event_type, source: request.source };
  const data: EventIngested['data'] = {
    event_id: eventId,
    event_type: request.event_type,
    source: request.source,
    payload: request.payload,
    received_at: receivedAt,
    executions: matches.map((row) => ({ execution_id: engineIds.eventExecution(tenant, eventId, row.workflow_id), workflow_id: row.workflow_id, workflow_revision: row.definition_revision })),
  };
  // The record and the starts commit side by side (one commit's latency, not two). A crash
  // between them leaves a record naming executions not started: a retry of the same event
  // id, or the repair subscription, starts them from the record (ensureStarted).
  const [position, ...started] = await Promise.all([
    record(deps, tenant, stream, data, actor),
    ...matches.map((row, index) => startExecution(deps.runner, tenant, data.executions[index]?.execution_id ?? '', row, { trigger, payload: request.payload, event }, actor)),
  ]);
  if (position === undefined) {
    // A twin request with the same event id recorded it first: answer as it does.
    const [first] = await deps.store.readStream(stream, { max_count: 1 });
    if (first === undefined) throw new Error(`ingest record of ${eventId} vanished`);
    return replay(deps, tenant, first.data as EventIngested['data'], first.position, actor, options);
  }
  const resumed = await deliverIngested(deps, { tenant, position, data }, actor);
  const statuses = started.map((entry) => entry.status);
  return answer(deps, eventId, statuses, resumed, statuses.reduce<LogPosition | undefined>((acc, status) => laterPosition(acc, status.position), position), false, options);
}

/** Appends EventIngested; undefined when the stream exists already (the event was ingested). */
async function record(deps: IngestDeps, tenant: string, stream: string, data: EventIngested['data'], actor: Actor): Promise<LogPosition | undefined> {
  const metadata = { tenant, actor: actor.actor, correlation_id: actor.correlation_id ?? data.event_id, causation_id: actor.causation_id, chain_depth: actor.chain_depth ?? 0 };
  const event = { event_id: engineIds.ingestRecord(tenant, data.event_id), type: 'EventIngested', schema_version: currentSchemaVersion('EventIngested'), data, metadata };
  try {
    const result = await deps.store.append(stream, [event], 'no_stream');
    return result.appended ? result.position : undefined;
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError) return undefined;
    throw error;
  }
}

async function replay(
  deps: IngestDeps,
  tenant: string,
  data: EventIngested['data'],
  position: LogPosition,
  actor: Actor,
  options: IngestOptions,
): Promise<IngestAnswer> {
  const { started: statuses, resumed } = await recoverIngested(deps, { tenant, position, data }, actor);
  return answer(deps, data.event_id, statuses, resumed, statuses.reduce<LogPosition | undefined>((acc, status) => laterPosition(acc, status.position), position), true, options);
}

export async function currentStatus(deps: Pick<IngestDeps, 'runner'>, tenant: string, executionId: string, workflowId: string): Promise<ExecutionStatus> {
  const { state, revision, position } = await deps.runner.read(tenant, executionId);
  const started = state.status !== 'not_started';
  return {
    tenant,
    execution_id: executionId,
    workflow_id: started ? state.workflow_id : workflowId,
    status: started ? state.status : 'not_started',
    decision: started ? state.decision : null,
    revision,
    position,
  };
}

async function answer(
  deps: IngestDeps,
  eventId: string,
  started: readonly ExecutionStatus[],
  resumed: readonly ExecutionStatus[],
  position: LogPosition | undefined,
  replayed: boolean,
  options: IngestOptions,
): Promise<IngestAnswer> {
  const deadline = options.waitUntil;
  const settled = deadline === undefined ? { started, resumed } : {
    started: await Promise.all(started.map((status) => settle(deps.settle, status, deadline))),
    resumed: await Promise.all(resumed.map((status) => settle(deps.settle, status, deadline))),
  };
  const all = [...settled.started, ...settled.resumed];
  const summary = (status: ExecutionStatus): ExecutionSummary => ({ execution_id: status.execution_id, workflow_id: status.workflow_id, status: status.status, decision: status.decision });
  return {
    event_id: eventId,
    executions: settled.started.map(summary),
    resumed: settled.resumed.map(summary),
    position: all.reduce((acc, status) => laterPosition(acc, status.position), position),
    replayed,
  };
}
