import type pg from 'pg';
import type { Page, WorkflowDefinitionBody, WorkflowVersionView, WorkflowView } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';

/**
 * Reads of the workflows read model (schema `iwf_read`, written only by the projector).
 * Every function takes the tenant, and every statement filters on it.
 */
export type Queryable = Pick<pg.ClientBase, 'query'>;

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

export interface ListOptions {
  readonly limit: number;
  readonly cursor?: string | undefined;
  /** Newest first unless 'asc'. */
  readonly order?: 'asc' | 'desc' | undefined;
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

export async function listWorkflows(db: Queryable, tenant: string, filter: WorkflowFilter): Promise<Page<WorkflowView>> {
  checkLimit(filter.limit);
  const params: unknown[] = [tenant];
  const where = ['tenant = $1'];
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.enabled !== undefined) add((p) => `enabled = ${p}`, filter.enabled);
  if (filter.archived !== undefined) add((p) => `archived = ${p}`, filter.archived);
  if (filter.tag !== undefined) add((p) => `tags @> ARRAY[${p}::text]`, filter.tag);
  if (filter.trigger_event !== undefined) {
    add((p) => `(trigger_event = ${p} OR (trigger_event LIKE '%*' AND starts_with(${p}, rtrim(trigger_event, '*'))))`, filter.trigger_event);
  }
  if (filter.q !== undefined) add((p) => `(name ILIKE ${p} OR description ILIKE ${p})`, `%${escapeLike(filter.q)}%`);
  const desc = filter.order !== 'asc';
  if (filter.cursor !== undefined) {
    const [created_at, workflow_id] = decodeCursor(filter.cursor);
    params.push(created_at, workflow_id);
    where.push(`(created_at, workflow_id) ${desc ? '<' : '>'} ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(filter.limit + 1);
  const direction = desc ? 'DESC' : 'ASC';
  const result = await db.query<WorkflowRow>(
    `SELECT ${WORKFLOW_COLUMNS} FROM iwf_read.workflows WHERE ${where.join(' AND ')}
     ORDER BY created_at ${direction}, workflow_id ${direction} LIMIT $${params.length}`,
    params,
  );
  return page(result.rows.map(toWorkflowView), filter.limit, (last) => encodeCursor([last.created_at, last.workflow_id]));
}

export async function listWorkflowVersions(
  db: Queryable,
  tenant: string,
  workflow_id: string,
  options: ListOptions,
): Promise<Page<WorkflowVersionView>> {
  checkLimit(options.limit);
  const desc = options.order !== 'asc';
  const after = options.cursor === undefined ? null : decodeRevisionCursor(options.cursor);
  const result = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM iwf_read.workflow_versions
     WHERE tenant = $1 AND workflow_id = $2 AND ($3::int IS NULL OR definition_revision ${desc ? '<' : '>'} $3)
     ORDER BY definition_revision ${desc ? 'DESC' : 'ASC'} LIMIT $4`,
    [tenant, workflow_id, after, options.limit + 1],
  );
  return page(result.rows.map(toVersionView), options.limit, (last) => encodeCursor([last.definition_revision]));
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

function page<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

export const MAX_LIMIT = 500;

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new DomainError('validation', 'The request is invalid.', [{ pointer: '/querystring/limit', message: `must be an integer from 1 to ${MAX_LIMIT}` }]);
  }
}

// The cursor is opaque to clients: base64url of a JSON array of the last item's sort key.
function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function invalidCursor(): DomainError {
  return new DomainError('validation', 'The request is invalid.', [{ pointer: '/querystring/cursor', message: 'is not a cursor this list issued' }]);
}

function decodeKey(cursor: string): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key as unknown[];
  } catch {
    // Falls through to the validation error: a malformed cursor is the client's mistake.
  }
  throw invalidCursor();
}

function decodeCursor(cursor: string): [string, string] {
  const [created_at, workflow_id, ...rest] = decodeKey(cursor);
  if (typeof created_at !== 'string' || typeof workflow_id !== 'string' || rest.length > 0) throw invalidCursor();
  if (Number.isNaN(Date.parse(created_at)) || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(created_at)) throw invalidCursor();
  return [created_at, workflow_id];
}

function decodeRevisionCursor(cursor: string): number {
  const [revision, ...rest] = decodeKey(cursor);
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0 || revision > 2 ** 31 - 1 || rest.length > 0) {
    throw invalidCursor();
  }
  return revision;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
