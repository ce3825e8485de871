import type { Page, WorkflowDefinitionBody, WorkflowVersionView, WorkflowView } from '@iwf/contracts';
import type { KeysetSpec, ListOptions, Queryable } from '../keyset.js';
import { Filters, checkLimit, decodeCursor, keysetPage, pageOf } from '../keyset.js';

/**
 * Reads of the workflows read model (schema `iwf_read`, written only by the projector).
 * Every function takes the tenant, and every statement filters on it.
 */
export const WORKFLOW_COLUMNS =
  'workflow_id, name, version, description, tags, enabled, archived, definition_revision, revision, definition, metadata, created_at, updated_at';

export interface WorkflowRow {
  readonly workflow_id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string | null;
  readonly tags: string[];
  readonly enabled: boolean;
  readonly archived: boolean;
  readonly definition_revision: number;
  readonly revision: number;
  readonly definition: WorkflowDefinitionBody;
  readonly metadata: Record<string, unknown>;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export function toWorkflowView(row: WorkflowRow): WorkflowView {
  return {
    workflow_id: row.workflow_id,
    name: row.name,
    version: row.version,
    description: row.description,
    tags: row.tags,
    enabled: row.enabled,
    archived: row.archived,
    definition_revision: row.definition_revision,
    revision: row.revision,
    definition: row.definition,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const VERSION_COLUMNS = 'workflow_id, definition_revision, version, name, description, tags, definition, published_at';

interface VersionRow extends Omit<WorkflowVersionView, 'published_at' | 'tags'> {
  readonly tags: string[];
  readonly published_at: Date;
}

function toVersionView(row: VersionRow): WorkflowVersionView {
  return { ...row, published_at: row.published_at.toISOString() };
}

export async function getWorkflow(db: Queryable, tenant: string, workflow_id: string): Promise<WorkflowView | undefined> {
  const result = await db.query<WorkflowRow>(
    `SELECT ${WORKFLOW_COLUMNS} FROM iwf_read.workflows WHERE tenant = $1 AND workflow_id = $2`,
    [tenant, workflow_id],
  );
  const row = result.rows[0];
  return row ? toWorkflowView(row) : undefined;
}

export interface WorkflowFilter extends ListOptions {
  readonly enabled?: boolean | undefined;
  readonly archived?: boolean | undefined;
  readonly tag?: string | undefined;
  /** Workflows this event type would trigger: exact names and `prefix.*` patterns that match it. */
  readonly trigger_event?: string | undefined;
  /** Case-insensitive substring of the name or the description. */
  readonly q?: string | undefined;
}

const WORKFLOW_LIST: KeysetSpec<WorkflowRow, WorkflowView> = {
  table: 'iwf_read.workflows',
  columns: WORKFLOW_COLUMNS,
  time: 'created_at',
  id: 'workflow_id',
  toView: toWorkflowView,
  keyOf: (view) => [view.created_at, view.workflow_id],
};

export async function listWorkflows(db: Queryable, tenant: string, filter: WorkflowFilter): Promise<Page<WorkflowView>> {
  const filters = new Filters(tenant);
  if (filter.enabled !== undefined) filters.add((p) => `enabled = ${p}`, filter.enabled);
  if (filter.archived !== undefined) filters.add((p) => `archived = ${p}`, filter.archived);
  if (filter.tag !== undefined) filters.add((p) => `tags @> ARRAY[${p}::text]`, filter.tag);
  if (filter.trigger_event !== undefined) {
    filters.add((p) => `(trigger_event = ${p} OR (trigger_event LIKE '%*' AND starts_with(${p}, rtrim(trigger_event, '*'))))`, filter.trigger_event);
  }
  if (filter.q !== undefined) filters.add((p) => `(name ILIKE ${p} OR description ILIKE ${p})`, `%${escapeLike(filter.q)}%`);
  return keysetPage(db, WORKFLOW_LIST, filters, filter);
}

export async function listWorkflowVersions(
  db: Queryable,
  tenant: string,
  workflow_id: string,
  options: ListOptions,
): Promise<Page<WorkflowVersionView>> {
  checkLimit(options.limit);
  const desc = options.order !== 'asc';
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor, revisionKey);
  const result = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM iwf_read.workflow_versions
     WHERE tenant = $1 AND workflow_id = $2 AND ($3::int IS NULL OR definition_revision ${desc ? '<' : '>'} $3)
     ORDER BY definition_revision ${desc ? 'DESC' : 'ASC'} LIMIT $4`,
    [tenant, workflow_id, after, options.limit + 1],
  );
  return pageOf(result.rows.map(toVersionView), options.limit, (last) => [last.definition_revision]);
}

export async function getWorkflowVersion(
  db: Queryable,
  tenant: string,
  workflow_id: string,
  definition_revision: number,
): Promise<WorkflowVersionView | undefined> {
  const result = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM iwf_read.workflow_versions WHERE tenant = $1 AND workflow_id = $2 AND definition_revision = $3`,
    [tenant, workflow_id, definition_revision],
  );
  const row = result.rows[0];
  return row ? toVersionView(row) : undefined;
}

function revisionKey([revision, ...rest]: unknown[]): number | undefined {
  const valid = typeof revision === 'number' && Number.isInteger(revision) && revision >= 0 && revision <= 2 ** 31 - 1 && rest.length === 0;
  return valid ? revision : undefined;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
