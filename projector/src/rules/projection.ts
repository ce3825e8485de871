import type pg from 'pg';
import type { RecordedEvent } from '@iwf/contracts';
import type { RuleRow } from '@iwf/query-service/rules/read-model';
import { RULE_COLUMNS, toRuleView } from '@iwf/query-service/rules/read-model';
import type { Fields } from '../executions/sql.js';
import { checkNamedId, inCategory, keyOf, loadRows, positionOf, streamKeyOf, upsertStatement, writeRows } from '../executions/sql.js';
import type { Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';
import type { RuleRecord } from './evolve.js';
import { evolveRule } from './evolve.js';

export const RULES_PROJECTION = 'rules';

/** The rules read model: one row per `rule:<tenant>:<rule_id>` stream. */
export const rulesProjection: Projection = {
  name: RULES_PROJECTION,
  version: 1,
  cacheKinds: [],
  tables: ['rules'],
  async apply(tx, events) {
    const relevant = inCategory(events, 'rule');
    if (relevant.length === 0) return [];
    const records = await loadRecords(tx, relevant);
    const changed = new Map<string, RuleRecord>();
    for (const event of relevant) {
      try {
        const stream = streamKeyOf(event);
        checkNamedId(event, 'rule_id', stream.id);
        const key = keyOf(stream);
        const next = evolveRule(records.get(key), stream.tenant, event);
        if (!next) continue;
        records.set(key, next);
        changed.set(key, next);
      } catch (error) {
        throw new EventHandlingError(RULES_PROJECTION, event, error);
      }
    }
    await writeRows(tx, UPSERT_RULES, [...changed.values()], (record) => ({ deleted: record.deleted }));
    return [];
  },
};

async function loadRecords(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<Map<string, RuleRecord>> {
  const rows = await loadRows<RuleRow & { deleted: boolean }>(tx, 'iwf_read.rules', 'rule_id', `${RULE_COLUMNS}, deleted`, events);
  return new Map(
    rows.map((row) => [
      keyOf({ tenant: row.tenant, id: row.rule_id }),
      { tenant: row.tenant, view: toRuleView(row), deleted: row.deleted, position: positionOf(row) },
    ]),
  );
}

const RULE_FIELDS: Fields = [
  ['tenant', 'text'], ['rule_id', 'text'], ['name', 'text'], ['description', 'text'], ['condition', 'jsonb'],
  ['deleted', 'boolean'], ['revision', 'integer'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ['last_commit', 'bigint'], ['last_prepare', 'bigint'],
];
// created_at is rewritten too: a rule created again after its deletion starts anew.
const UPSERT_RULES = upsertStatement('iwf_read.rules', RULE_FIELDS, ['tenant', 'rule_id']);
