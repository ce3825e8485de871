import type pg from 'pg';
import type { ExecutionStatus, RecordedEvent } from '@iwf/contracts';
import { cacheKey } from '@iwf/platform/cache/cache';
import type { ExecutionRow } from '@iwf/query-service/executions/read-model';
import { EXECUTION_COLUMNS, toExecutionView } from '@iwf/query-service/executions/read-model';
import type { CacheUpdate, Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';
import type { ExecutionFold, ExecutionRecord } from './fold.js';
import { evolveExecution } from './fold.js';
import type { Fields } from './sql.js';
import { checkNamedId, inCategory, keyOf, loadRows, positionOf, streamKeyOf, upsertStatement, writeRows } from './sql.js';

export const EXECUTIONS_PROJECTION = 'executions';
export const EXECUTION_CACHE_KIND = 'execution';

/**
 * The executions read model: one row per execution (its view, with context and timeline)
 * and counts by status per workflow. A batch loads the rows it touches, folds in memory,
 * writes the changed rows and the count deltas.
 */
export const executionsProjection: Projection = {
  name: EXECUTIONS_PROJECTION,
  version: 1,
  cacheKinds: [EXECUTION_CACHE_KIND],
  tables: ['executions', 'execution_counts'],
  async apply(tx, events) {
    const relevant = inCategory(events, 'execution');
    if (relevant.length === 0) return [];
    const records = await loadRecords(tx, relevant);
    const before = new Map([...records].map(([key, record]) => [key, record.view.status]));
    const changed = new Map<string, ExecutionRecord>();
    for (const event of relevant) fold(event, records, changed);
    await upsertExecutions(tx, [...changed.values()]);
    await addCounts(tx, countDeltas(before, changed));
    return [...changed.values()].map(toCacheUpdate);
  },
};

function fold(event: RecordedEvent, records: Map<string, ExecutionRecord>, changed: Map<string, ExecutionRecord>): void {
  try {
    const stream = streamKeyOf(event);
    if (event.type === 'ExecutionStarted') checkNamedId(event, 'execution_id', stream.id);
    const key = keyOf(stream);
    const next = evolveExecution(records.get(key), stream.tenant, event);
    if (!next) return;
    records.set(key, next);
    changed.set(key, next);
  } catch (error) {
    throw new EventHandlingError(EXECUTIONS_PROJECTION, event, error);
  }
}

async function loadRecords(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<Map<string, ExecutionRecord>> {
  const rows = await loadRows<ExecutionRow & { fold: ExecutionFold }>(tx, 'iwf_read.executions', 'execution_id', `${EXECUTION_COLUMNS}, fold`, events);
  return new Map(
    rows.map((row) => [
      keyOf({ tenant: row.tenant, id: row.execution_id }),
      { tenant: row.tenant, view: toExecutionView(row), fold: row.fold, position: positionOf(row) },
    ]),
  );
}

const EXECUTION_FIELDS: Fields = [
  ['tenant', 'text'], ['execution_id', 'text'], ['workflow_id', 'text'], ['workflow_revision', 'integer'],
  ['workflow_version', 'text'], ['trigger_kind', 'text'], ['trigger_event_id', 'text'], ['status', 'text'],
  ['decision', 'text'], ['current_step_id', 'text'], ['error', 'jsonb'], ['context', 'jsonb'], ['steps', 'jsonb'],
  ['fold', 'jsonb'], ['started_at', 'timestamptz'], ['completed_at', 'timestamptz'], ['duration_ms', 'bigint'],
  ['updated_at', 'timestamptz'], ['revision', 'integer'], ['last_commit', 'bigint'], ['last_prepare', 'bigint'],
];
const UPSERT_EXECUTIONS = upsertStatement('iwf_read.executions', EXECUTION_FIELDS, ['tenant', 'execution_id'], ['started_at']);

async function upsertExecutions(tx: pg.PoolClient, records: readonly ExecutionRecord[]): Promise<void> {
  await writeRows(tx, UPSERT_EXECUTIONS, records, (record) => ({ fold: record.fold }));
}

interface CountDelta {
  readonly tenant: string;
  readonly workflow_id: string;
  readonly status: ExecutionStatus;
  readonly delta: number;
}

/** Each execution that changed status moves one count from its old status to its new one. */
function countDeltas(before: ReadonlyMap<string, ExecutionStatus>, changed: ReadonlyMap<string, ExecutionRecord>): CountDelta[] {
  const deltas = new Map<string, CountDelta>();
  const add = (record: ExecutionRecord, status: ExecutionStatus, delta: number): void => {
    const key = JSON.stringify([record.tenant, record.view.workflow_id, status]);
    const current = deltas.get(key)?.delta ?? 0;
    deltas.set(key, { tenant: record.tenant, workflow_id: record.view.workflow_id, status, delta: current + delta });
  };
  for (const [key, record] of changed) {
    const old = before.get(key);
    if (old === record.view.status) continue;
    if (old !== undefined) add(record, old, -1);
    add(record, record.view.status, 1);
  }
  return [...deltas.values()].filter((entry) => entry.delta !== 0);
}

const ADD_COUNTS = `
INSERT INTO iwf_read.execution_counts (tenant, workflow_id, status, count)
SELECT tenant, workflow_id, status, delta FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, workflow_id text, status text, delta integer)
ON CONFLICT (tenant, workflow_id, status) DO UPDATE SET count = iwf_read.execution_counts.count + EXCLUDED.count`;

// A count back at zero is removed, so the table holds the same rows however the log was batched.
const DROP_ZERO_COUNTS = `
DELETE FROM iwf_read.execution_counts c
USING jsonb_to_recordset($1::jsonb) AS r(tenant text, workflow_id text, status text)
WHERE c.tenant = r.tenant AND c.workflow_id = r.workflow_id AND c.status = r.status AND c.count = 0`;

async function addCounts(tx: pg.PoolClient, deltas: readonly CountDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const rows = JSON.stringify(deltas);
  await tx.query(ADD_COUNTS, [rows]);
  await tx.query(DROP_ZERO_COUNTS, [rows]);
}

function toCacheUpdate(record: ExecutionRecord): CacheUpdate {
  return { key: cacheKey(record.tenant, EXECUTION_CACHE_KIND, record.view.execution_id), revision: record.view.revision, value: record.view };
}
