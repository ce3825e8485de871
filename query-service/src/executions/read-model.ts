import type {
  ExecutionCountsView,
  ExecutionDecision,
  ExecutionError,
  ExecutionStatus,
  ExecutionStepView,
  ExecutionSummaryView,
  ExecutionView,
  JsonRecord,
  Page,
  TriggerKind,
} from '@iwf/contracts';
import { EXECUTION_STATUSES } from '@iwf/contracts';
import type { ListOptions, Queryable } from '../keyset.js';
import { Filters, keysetPage } from '../keyset.js';

/**
 * Reads of the executions read model (schema `iwf_read`, written only by the projector).
 * Every statement filters on the tenant.
 */
export const EXECUTION_SUMMARY_COLUMNS =
  'execution_id, workflow_id, workflow_revision, workflow_version, trigger_kind, trigger_event_id, status, decision, ' +
  'current_step_id, error, started_at, completed_at, duration_ms, updated_at, revision';
export const EXECUTION_COLUMNS = `${EXECUTION_SUMMARY_COLUMNS}, context, steps`;

export interface ExecutionSummaryRow {
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly workflow_revision: number;
  readonly workflow_version: string;
  readonly trigger_kind: TriggerKind;
  readonly trigger_event_id: string | null;
  readonly status: ExecutionStatus;
  readonly decision: ExecutionDecision | null;
  readonly current_step_id: string | null;
  readonly error: ExecutionError | null;
  readonly started_at: Date;
  readonly completed_at: Date | null;
  /** bigint: pg hands it over as text. */
  readonly duration_ms: string | null;
  readonly updated_at: Date;
  readonly revision: number;
}

export interface ExecutionRow extends ExecutionSummaryRow {
  readonly context: JsonRecord;
  readonly steps: ExecutionStepView[];
}

export function toExecutionSummary(row: ExecutionSummaryRow): ExecutionSummaryView {
  return {
    execution_id: row.execution_id,
    workflow_id: row.workflow_id,
    workflow_revision: row.workflow_revision,
    workflow_version: row.workflow_version,
    trigger_kind: row.trigger_kind,
    trigger_event_id: row.trigger_event_id,
    status: row.status,
    decision: row.decision,
    current_step_id: row.current_step_id,
    error: row.error,
    started_at: row.started_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
    updated_at: row.updated_at.toISOString(),
    revision: row.revision,
  };
}

export function toExecutionView(row: ExecutionRow): ExecutionView {
  return { ...toExecutionSummary(row), context: row.context, steps: row.steps };
}

export async function getExecution(db: Queryable, tenant: string, execution_id: string): Promise<ExecutionView | undefined> {
  const result = await db.query<ExecutionRow>(
    `SELECT ${EXECUTION_COLUMNS} FROM iwf_read.executions WHERE tenant = $1 AND execution_id = $2`,
    [tenant, execution_id],
  );
  const row = result.rows[0];
  return row ? toExecutionView(row) : undefined;
}

export interface ExecutionFilter extends ListOptions {
  readonly workflow_id?: string | undefined;
  readonly status?: ExecutionStatus | undefined;
  readonly decision?: ExecutionDecision | undefined;
  /** Started at or after. */
  readonly from?: Date | undefined;
  /** Started before. */
  readonly to?: Date | undefined;
}

export async function listExecutions(db: Queryable, tenant: string, filter: ExecutionFilter): Promise<Page<ExecutionSummaryView>> {
  const filters = new Filters(tenant);
  if (filter.workflow_id !== undefined) filters.add((p) => `workflow_id = ${p}`, filter.workflow_id);
  if (filter.status !== undefined) filters.add((p) => `status = ${p}`, filter.status);
  if (filter.decision !== undefined) filters.add((p) => `decision = ${p}`, filter.decision);
  if (filter.from !== undefined) filters.add((p) => `started_at >= ${p}`, filter.from);
  if (filter.to !== undefined) filters.add((p) => `started_at < ${p}`, filter.to);
  return keysetPage<ExecutionSummaryRow, ExecutionSummaryView>(
    db,
    {
      table: 'iwf_read.executions',
      columns: EXECUTION_SUMMARY_COLUMNS,
      time: 'started_at',
      id: 'execution_id',
      toView: toExecutionSummary,
      keyOf: (view) => [view.started_at, view.execution_id],
    },
    filters,
    filter,
  );
}

/** Executions of one workflow by status (kept by the projector as the executions change). */
export async function getExecutionCounts(db: Queryable, tenant: string, workflow_id: string): Promise<ExecutionCountsView> {
  const result = await db.query<{ status: ExecutionStatus; count: number }>(
    'SELECT status, count FROM iwf_read.execution_counts WHERE tenant = $1 AND workflow_id = $2',
    [tenant, workflow_id],
  );
  const counts = Object.fromEntries(EXECUTION_STATUSES.map((status) => [status, 0])) as Record<ExecutionStatus, number>;
  for (const row of result.rows) counts[row.status] = row.count;
  return { ...counts, total: result.rows.reduce((sum, row) => sum + row.count, 0) };
}
