import type pg from 'pg';
import type { RecordedEvent } from '@iwf/contracts';
import { cacheKey } from '@iwf/platform/cache/cache';
import type { ApprovalRow, RoleKey } from '@iwf/query-service/approvals/read-model';
import { APPROVAL_COLUMNS, loadPendingSets, roleKeyOf, toApprovalView } from '@iwf/query-service/approvals/read-model';
import type { Fields } from '../executions/sql.js';
import { checkNamedId, inCategory, keyOf, loadRows, positionOf, streamKeyOf, upsertStatement, writeRows } from '../executions/sql.js';
import type { CacheUpdate, Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';
import type { ApprovalRecord } from './evolve.js';
import { evolveApproval } from './evolve.js';

export const APPROVALS_PROJECTION = 'approvals';
export const APPROVAL_CACHE_KIND = 'approval';
/** Cached first pages of each role's pending approvals: the approvers' inbox, a hot read. */
export const PENDING_APPROVALS_CACHE_KIND = 'pending_approvals';

export const approvalsProjection: Projection = {
  name: APPROVALS_PROJECTION,
  version: 1,
  cacheKinds: [APPROVAL_CACHE_KIND, PENDING_APPROVALS_CACHE_KIND],
  tables: ['approvals', 'approval_role_sets'],
  async apply(tx, events) {
    const relevant = inCategory(events, 'approval');
    if (relevant.length === 0) return [];
    const records = await loadRecords(tx, relevant);
    const changed = new Map<string, ApprovalRecord>();
    // Every create and every decision changes its role's pending set once.
    const roleChanges = new Map<string, { key: RoleKey; count: number }>();
    for (const event of relevant) {
      const record = fold(event, records, changed);
      if (!record) continue;
      const key = { tenant: record.tenant, approver_role: record.view.approver_role };
      const entry = roleChanges.get(roleKeyOf(key)) ?? { key, count: 0 };
      roleChanges.set(roleKeyOf(key), { key, count: entry.count + 1 });
    }
    await upsertApprovals(tx, [...changed.values()]);
    const roles = [...roleChanges.values()];
    await countRoleChanges(tx, roles);
    const sets = await loadPendingSets(tx, roles.map((role) => role.key));
    const setUpdates = roles.flatMap(({ key }): CacheUpdate[] => {
      const set = sets.get(roleKeyOf(key));
      return set ? [{ key: cacheKey(key.tenant, PENDING_APPROVALS_CACHE_KIND, key.approver_role), revision: set.revision, value: set }] : [];
    });
    return [...[...changed.values()].map(toCacheUpdate), ...setUpdates];
  },
};

function fold(event: RecordedEvent, records: Map<string, ApprovalRecord>, changed: Map<string, ApprovalRecord>): ApprovalRecord | undefined {
  try {
    const stream = streamKeyOf(event);
    checkNamedId(event, 'approval_id', stream.id);
    const key = keyOf(stream);
    const next = evolveApproval(records.get(key), stream.tenant, event);
    if (!next) return undefined;
    records.set(key, next);
    changed.set(key, next);
    return next;
  } catch (error) {
    throw new EventHandlingError(APPROVALS_PROJECTION, event, error);
  }
}

async function loadRecords(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<Map<string, ApprovalRecord>> {
  const rows = await loadRows<ApprovalRow>(tx, 'iwf_read.approvals', 'approval_id', APPROVAL_COLUMNS, events);
  return new Map(
    rows.map((row) => [keyOf({ tenant: row.tenant, id: row.approval_id }), { tenant: row.tenant, view: toApprovalView(row), position: positionOf(row) }]),
  );
}

const APPROVAL_FIELDS: Fields = [
  ['tenant', 'text'], ['approval_id', 'text'], ['execution_id', 'text'], ['workflow_id', 'text'], ['step_id', 'text'],
  ['status', 'text'], ['approver_role', 'text'], ['entity', 'text'], ['entity_id', 'text'], ['reason', 'text'],
  ['data', 'jsonb'], ['blocking', 'boolean'], ['expires_at', 'timestamptz'], ['decided_by', 'text'],
  ['decided_at', 'timestamptz'], ['comment', 'text'], ['created_at', 'timestamptz'], ['revision', 'integer'],
  ['last_commit', 'bigint'], ['last_prepare', 'bigint'],
];
const UPSERT_APPROVALS = upsertStatement('iwf_read.approvals', APPROVAL_FIELDS, ['tenant', 'approval_id'], ['created_at']);

async function upsertApprovals(tx: pg.PoolClient, records: readonly ApprovalRecord[]): Promise<void> {
  await writeRows(tx, UPSERT_APPROVALS, records);
}

const COUNT_ROLE_CHANGES = `
INSERT INTO iwf_read.approval_role_sets (tenant, approver_role, revision)
SELECT tenant, approver_role, count FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, approver_role text, count integer)
ON CONFLICT (tenant, approver_role) DO UPDATE SET revision = iwf_read.approval_role_sets.revision + EXCLUDED.revision`;

async function countRoleChanges(tx: pg.PoolClient, roles: readonly { key: RoleKey; count: number }[]): Promise<void> {
  if (roles.length === 0) return;
  await tx.query(COUNT_ROLE_CHANGES, [JSON.stringify(roles.map(({ key, count }) => ({ ...key, count })))]);
}

function toCacheUpdate(record: ApprovalRecord): CacheUpdate {
  return { key: cacheKey(record.tenant, APPROVAL_CACHE_KIND, record.view.approval_id), revision: record.view.revision, value: record.view };
}
