import type { Condition, Page, RuleView } from '@iwf/contracts';
import type { ListOptions, Queryable } from '../keyset.js';
import { Filters, keysetPage } from '../keyset.js';

/** Reads of the rules read model. Deleted rules stay as tombstones (so redelivery cannot revive them) and are never shown. */
export const RULE_COLUMNS = 'rule_id, name, description, condition, revision, created_at, updated_at';

export interface RuleRow {
  readonly rule_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly condition: Condition;
  readonly revision: number;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export const toRuleView = (row: RuleRow): RuleView => ({
  rule_id: row.rule_id,
  name: row.name,
  description: row.description,
  condition: row.condition,
  revision: row.revision,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export async function getRule(db: Queryable, tenant: string, rule_id: string): Promise<RuleView | undefined> {
  const result = await db.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM iwf_read.rules WHERE tenant = $1 AND rule_id = $2 AND NOT deleted`, [
    tenant,
    rule_id,
  ]);
  const row = result.rows[0];
  return row ? toRuleView(row) : undefined;
}

export async function listRules(db: Queryable, tenant: string, options: ListOptions): Promise<Page<RuleView>> {
  return keysetPage<RuleRow, RuleView>(
    db,
    { table: 'iwf_read.rules', columns: RULE_COLUMNS, time: 'created_at', id: 'rule_id', toView: toRuleView, keyOf: (view) => [view.created_at, view.rule_id] },
    new Filters(tenant).require('NOT deleted'),
    options,
  );
}
