import type { ApprovalStatus, ApprovalView, Page } from '@iwf/contracts';
import type { ListOptions, Queryable } from '../keyset.js';
import { Filters, keysetPage, pageOf } from '../keyset.js';

/** Reads of the approvals read model (schema `iwf_read`, written only by the projector). */
export const APPROVAL_COLUMNS =
  'approval_id, execution_id, workflow_id, step_id, status, approver_role, entity, entity_id, reason, data, blocking, ' +
  'expires_at, decided_by, decided_at, comment, created_at, revision';

/** A row as the driver returns it: the view's fields, with timestamps as dates. */
export type ApprovalRow = Omit<ApprovalView, 'expires_at' | 'decided_at' | 'created_at'> & {
  readonly expires_at: Date;
  readonly decided_at: Date | null;
  readonly created_at: Date;
};

export function toApprovalView(row: ApprovalRow): ApprovalView {
  return {
    approval_id: row.approval_id,
    execution_id: row.execution_id,
    workflow_id: row.workflow_id,
    step_id: row.step_id,
    status: row.status,
    approver_role: row.approver_role,
    entity: row.entity,
    entity_id: row.entity_id,
    reason: row.reason,
    data: row.data,
    blocking: row.blocking,
    expires_at: row.expires_at.toISOString(),
    decided_by: row.decided_by,
    decided_at: row.decided_at?.toISOString() ?? null,
    comment: row.comment,
    created_at: row.created_at.toISOString(),
    revision: row.revision,
  };
}

export async function getApproval(db: Queryable, tenant: string, approval_id: string): Promise<ApprovalView | undefined> {
  const result = await db.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM iwf_read.approvals WHERE tenant = $1 AND approval_id = $2`, [
    tenant,
    approval_id,
  ]);
  const row = result.rows[0];
  return row ? toApprovalView(row) : undefined;
}

export interface ApprovalFilter extends ListOptions {
  readonly status?: ApprovalStatus | undefined;
  readonly approver_role?: string | undefined;
  readonly entity?: string | undefined;
  readonly entity_id?: string | undefined;
  readonly execution_id?: string | undefined;
}

const newestFirst = (view: ApprovalView): readonly [string, string] => [view.created_at, view.approval_id];

export async function listApprovals(db: Queryable, tenant: string, filter: ApprovalFilter): Promise<Page<ApprovalView>> {
  const filters = new Filters(tenant);
  for (const field of ['status', 'approver_role', 'entity', 'entity_id', 'execution_id'] as const) {
    const value = filter[field];
    if (value !== undefined) filters.add((p) => `${field} = ${p}`, value);
  }
  return keysetPage<ApprovalRow, ApprovalView>(
    db,
    { table: 'iwf_read.approvals', columns: APPROVAL_COLUMNS, time: 'created_at', id: 'approval_id', toView: toApprovalView, keyOf: newestFirst },
    filters,
    filter,
  );
}

/** How many pending approvals of a role the hot-read cache holds (newest first). */
export const PENDING_SET_SIZE = 100;

/**
 * The newest pending approvals of one role, and the set's revision: the number of events that
 * ever changed the role's pending set. A replay counts the same, so a revision always names
 * the same content, and the cache can keep the newest.
 */
export interface PendingSet {
  readonly revision: number;
  readonly items: readonly ApprovalView[];
  /** More pending approvals exist than `items` holds. */
  readonly more: boolean;
}

export interface RoleKey {
  readonly tenant: string;
  readonly approver_role: string;
}

export const roleKeyOf = (key: RoleKey): string => JSON.stringify([key.tenant, key.approver_role]);

/** The pending sets of several roles in one statement (one snapshot: revision and items agree). */
export async function loadPendingSets(db: Queryable, keys: readonly RoleKey[]): Promise<Map<string, PendingSet>> {
  const sets = new Map<string, { revision: number; views: ApprovalView[] }>();
  if (keys.length === 0) return new Map();
  const result = await db.query<{ tenant: string; set_role: string; set_revision: number } & Partial<ApprovalRow>>(
    `SELECT k.tenant, k.approver_role AS set_role, s.revision AS set_revision, a.*
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(tenant, approver_role, ord)
     JOIN iwf_read.approval_role_sets s USING (tenant, approver_role)
     LEFT JOIN LATERAL (
       SELECT ${APPROVAL_COLUMNS} FROM iwf_read.approvals p
       WHERE p.tenant = k.tenant AND p.approver_role = k.approver_role AND p.status = 'pending'
       ORDER BY p.created_at DESC, p.approval_id DESC LIMIT ${PENDING_SET_SIZE + 1}
     ) a ON true
     ORDER BY k.ord, a.created_at DESC, a.approval_id DESC`,
    [keys.map((key) => key.tenant), keys.map((key) => key.approver_role)],
  );
  // Rows arrive in the database's order (its collation decides ties), so they are not sorted again here.
  for (const row of result.rows) {
    const key = roleKeyOf({ tenant: row.tenant, approver_role: row.set_role });
    const set = sets.get(key) ?? { revision: row.set_revision, views: [] };
    if (row.approval_id !== undefined && row.approval_id !== null) set.views.push(toApprovalView(row as ApprovalRow));
    sets.set(key, set);
  }
  return new Map(
    [...sets].map(([key, { revision, views }]) => [key, { revision, items: views.slice(0, PENDING_SET_SIZE), more: views.length > PENDING_SET_SIZE }]),
  );
}

/** The first page of a pending set, as listApprovals would give it; undefined when the set is too short to tell. */
export function pendingPage(set: PendingSet, limit: number): Page<ApprovalView> | undefined {
  if (limit > set.items.length && set.more) return undefined;
  // A sentinel stands for "more follow" so pageOf issues the cursor exactly as a database page would.
  const views = set.more ? [...set.items, set.items[set.items.length - 1]!] : set.items;
  return pageOf(views, limit, newestFirst);
}
