import type pg from 'pg';
import type { Condition, RuleConditions } from '@iwf/contracts';
import type { RuleState } from './domain/decider.js';

type Db = Pick<pg.Pool, 'query'>;

/** Writes a rule's row from its folded state unless a newer revision is already there. */
export async function indexRule(db: Db, tenant: string, revision: number, state: RuleState): Promise<void> {
  if (state.status === 'absent') return;
  await db.query(
    `INSERT INTO iwf_command.engine_rules AS r (tenant, rule_id, condition, deleted, stream_revision) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant, rule_id) DO UPDATE SET condition = EXCLUDED.condition, deleted = EXCLUDED.deleted, stream_revision = EXCLUDED.stream_revision
     WHERE r.stream_revision <= EXCLUDED.stream_revision`,
    [tenant, state.rule_id, JSON.stringify(state.condition), state.status === 'deleted', revision],
  );
}

// Rules may refer to rules; a chain this long is a mistake, not a design.
const MAX_RULE_HOPS = 8;

/**
 * The conditions of the named rules and of every rule they refer to, for the decider. A
 * deleted or unknown rule is left out: the condition naming it then fails to evaluate.
 */
export async function ruleConditions(db: Db, tenant: string, ids: readonly string[]): Promise<RuleConditions> {
  const found: Record<string, Condition> = {};
  let wanted = [...new Set(ids)];
  for (let hop = 0; hop < MAX_RULE_HOPS && wanted.length > 0; hop += 1) {
    const result = await db.query<{ rule_id: string; condition: Condition }>({
      name: 'iwf_engine_rule_conditions',
      text: 'SELECT rule_id, condition FROM iwf_command.engine_rules WHERE tenant = $1 AND rule_id = ANY($2::text[]) AND NOT deleted',
      values: [tenant, wanted],
    });
    for (const row of result.rows) found[row.rule_id] = row.condition;
    wanted = [...new Set(result.rows.flatMap((row) => ruleRefs(row.condition)))].filter((id) => !(id in found));
  }
  return found;
}

function ruleRefs(condition: unknown): string[] {
  if (typeof condition !== 'object' || condition === null) return [];
  if (Array.isArray(condition)) return condition.flatMap(ruleRefs);
  const node = condition as Readonly<Record<string, unknown>>;
  const own = typeof node['rule_id'] === 'string' ? [node['rule_id']] : [];
  return [...own, ...ruleRefs(node['and']), ...ruleRefs(node['or']), ...ruleRefs(node['not'])];
}
