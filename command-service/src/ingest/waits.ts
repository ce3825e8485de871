import type pg from 'pg';
import type { JsonRecord } from '@iwf/contracts';
import { jsonEquals } from '../engine/domain/json.js';
import { lookupPath } from '../engine/domain/templates/index.js';
import type { Actor, ExecutionRunner } from '../engine/runtime/execution-runner.js';
import type { ExecutionStatus } from '../engine/runtime/status-bus.js';

export interface WaitRow {
  readonly execution_id: string;
  readonly match_field: string;
  readonly match_value: unknown;
}

const WAITS = `
  SELECT execution_id, match_field, match_value FROM iwf_command.engine_waits
  WHERE tenant = $1 AND (event_type = $2 OR (right(event_type, 1) = '*' AND starts_with($2, left(event_type, -1))))`;

// Ids written as text on one side and a number on the other still correlate (as the decider does).
const sameValue = (left: unknown, right: unknown): boolean =>
  jsonEquals(left, right) || ((typeof left === 'string' || typeof left === 'number') && (typeof right === 'string' || typeof right === 'number') && String(left) === String(right));

export interface OfferedEvent {
  readonly event_id: string;
  readonly event_type: string;
  readonly payload: JsonRecord;
}

export type WaitRows = readonly WaitRow[];

/** The waits indexed for an event type (read before the event is recorded, to save a round trip). */
export async function waitsFor(pool: pg.Pool, tenant: string, eventType: string): Promise<WaitRows> {
  return (await pool.query<WaitRow>({ name: 'iwf_engine_waits_for', text: WAITS, values: [tenant, eventType] })).rows;
}

/**
 * Offers an ingested event to the executions waiting for its type whose correlation value it
 * carries (the wait index is kept by every execution append). The decider checks again, so
 * an offer that no longer fits changes nothing; an event is delivered to an execution once.
 */
export async function deliverToWaits(
  deps: { readonly pool: pg.Pool; readonly runner: ExecutionRunner },
  tenant: string,
  event: OfferedEvent,
  actor: Actor,
  rows?: WaitRows,
): Promise<ExecutionStatus[]> {
  const candidates = rows ?? (await waitsFor(deps.pool, tenant, event.event_type));
  const targets = new Set(
    candidates.filter((row) => {
      const found = lookupPath(event.payload, row.match_field);
      return found.status === 'found' && sameValue(found.value, row.match_value);
    }).map((row) => row.execution_id),
  );
  const resumed: ExecutionStatus[] = [];
  await Promise.all(
    [...targets].map(async (executionId) => {
      const applied = await deps.runner.send(tenant, executionId, { type: 'DeliverEvent', data: { event_id: event.event_id, event_type: event.event_type, payload: event.payload } }, actor);
      const { state } = applied;
      if (applied.appended === 0 || state.status === 'not_started') return;
      resumed.push({ tenant, execution_id: executionId, workflow_id: state.workflow_id, status: state.status, decision: state.decision, revision: applied.revision, position: applied.position });
    }),
  );
  return resumed;
}
