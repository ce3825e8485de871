import type pg from 'pg';
import type { EventIngested, LogPosition } from '@iwf/contracts';
import type { ExecutionState } from '../engine/domain/execution/index.js';
import { isActive, matchingWaits } from '../engine/domain/execution/index.js';
import { jsonEquals } from '../engine/domain/json.js';
import { lookupPath } from '../engine/domain/templates/index.js';
import type { Actor, Applied, ExecutionRunner } from '../engine/runtime/execution-runner.js';
import type { ExecutionStatus } from '../engine/runtime/status-bus.js';

/** A business event as its ingest record has it, with the record's position in the log. */
export interface IngestedEvent {
  readonly tenant: string;
  readonly position: LogPosition;
  readonly data: EventIngested['data'];
}

export interface WaitRow {
  readonly execution_id: string;
  /** Null on rows indexed before runs were: any matching wait of the execution. */
  readonly run: number | null;
  readonly match_field: string;
  readonly match_value: unknown;
}

/**
 * The waits indexed for each event's type that opened before the event was recorded: their
 * WaitStarted precedes the record in the log (rows without a position take every event).
 */
const WAITS_BEFORE = `
  SELECT e.n::int AS n, w.execution_id, w.run, w.match_field, w.match_value
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS e(tenant, event_type, commit_pos, prepare_pos, n)
  JOIN iwf_command.engine_waits w ON w.tenant = e.tenant
    AND (w.event_type = e.event_type OR (right(w.event_type, 1) = '*' AND starts_with(e.event_type, left(w.event_type, -1))))
    AND (w.opened_commit IS NULL OR (w.opened_commit, w.opened_prepare) < (e.commit_pos, e.prepare_pos))`;

/** Read only once the events are recorded: a wait indexed later finds them itself (catch-up.ts). */
export async function waitsBefore(pool: pg.Pool, events: readonly IngestedEvent[]): Promise<WaitRow[][]> {
  const found: WaitRow[][] = events.map(() => []);
  if (events.length === 0) return found;
  const result = await pool.query<WaitRow & { n: number }>({
    name: 'iwf_engine_waits_before',
    text: WAITS_BEFORE,
    values: [
      events.map((event) => event.tenant),
      events.map((event) => event.data.event_type),
      events.map((event) => event.position.commit.toString()),
      events.map((event) => event.position.prepare.toString()),
    ],
  });
  for (const { n, ...row } of result.rows) found[n - 1]?.push(row);
  return found;
}

// Ids written as text on one side and a number on the other still correlate (as the decider does).
const sameValue = (left: unknown, right: unknown): boolean =>
  jsonEquals(left, right) || ((typeof left === 'string' || typeof left === 'number') && (typeof right === 'string' || typeof right === 'number') && String(left) === String(right));

const carries = (event: EventIngested['data'], row: WaitRow): boolean => {
  const found = lookupPath(event.payload, row.match_field);
  return found.status === 'found' && sameValue(found.value, row.match_value);
};

/**
 * Delivers the event to the execution if one of these waiting runs (any, without runs) still
 * matches it. A run that stopped waiting refuses the offer, so a wait the execution opened
 * again after the event was recorded (a loop) never takes it through an older offer.
 */
export function offerEvent(runner: ExecutionRunner, tenant: string, executionId: string, event: EventIngested['data'], runs: ReadonlySet<number> | undefined, actor: Actor): Promise<Applied> {
  const onlyIf = (state: ExecutionState): boolean =>
    isActive(state) && matchingWaits(state, event.event_type, event.payload).some((entry) => runs === undefined || runs.has(entry.run));
  const data = { event_id: event.event_id, event_type: event.event_type, payload: event.payload };
  return runner.send(tenant, executionId, { type: 'DeliverEvent', data }, actor, { onlyIf });
}

/**
 * Offers an ingested event to the executions whose waits (rows from `waitsBefore`) its payload
 * correlates with, except those it started itself. The decider checks again and delivers an
 * event to an execution once, so offering twice changes nothing. Answers those it resumed.
 */
export async function offerToWaits(deps: { readonly runner: ExecutionRunner }, event: IngestedEvent, rows: readonly WaitRow[], actor: Actor): Promise<ExecutionStatus[]> {
  const own = new Set(event.data.executions.map((entry) => entry.execution_id));
  const targets = new Map<string, Set<number> | undefined>();
  for (const row of rows) {
    if (own.has(row.execution_id) || !carries(event.data, row)) continue;
    const runs = targets.has(row.execution_id) ? targets.get(row.execution_id) : new Set<number>();
    targets.set(row.execution_id, row.run === null || runs === undefined ? undefined : runs.add(row.run));
  }
  const resumed: ExecutionStatus[] = [];
  await Promise.all(
    [...targets].map(async ([executionId, runs]) => {
      const applied = await offerEvent(deps.runner, event.tenant, executionId, event.data, runs, actor);
      const { state } = applied;
      // A wait whose deadline had come times out instead of taking the event: nothing resumed.
      if (applied.appended === 0 || state.status === 'not_started' || !state.delivered_event_ids.includes(event.data.event_id)) return;
      resumed.push({ tenant: event.tenant, execution_id: executionId, workflow_id: state.workflow_id, status: state.status, decision: state.decision, revision: applied.revision, position: applied.position });
    }),
  );
  return resumed;
}

/** Offers a recorded event to the waits that opened before it (ingest, and its retries). */
export async function deliverIngested(deps: { readonly pool: pg.Pool; readonly runner: ExecutionRunner }, event: IngestedEvent, actor: Actor): Promise<ExecutionStatus[]> {
  const [rows = []] = await waitsBefore(deps.pool, [event]);
  return offerToWaits(deps, event, rows, actor);
}
