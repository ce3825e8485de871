import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, RuleEvent } from '@iwf/contracts';
import { getRule, listRules } from '@iwf/query-service/rules/read-model';
import { t } from '../executions/testing/execution-events.js';
import type { ReadModelHarness } from '../executions/testing/harness.js';
import { createReadModelHarness, dumpTable } from '../executions/testing/harness.js';
import { rulesProjection } from './projection.js';

const T = 'acme';
let h: ReadModelHarness;

const big: Condition = { field: 'order.amount', operator: 'gt', value: 1000 };
const vip: Condition = { and: [{ field: 'customer.tier', operator: 'eq', value: 'gold' }, big] };
const body = (rule_id: string, at: string, condition: Condition = big) => ({ rule_id, name: `Rule ${rule_id}`, description: `About ${rule_id}`, condition, at });
const created = (rule_id: string, at: string, condition?: Condition): RuleEvent => ({ type: 'RuleCreated', data: body(rule_id, at, condition) });
const updated = (rule_id: string, at: string, condition?: Condition): RuleEvent => ({ type: 'RuleUpdated', data: { ...body(rule_id, at, condition), name: 'Renamed' } });
const deleted = (rule_id: string, at: string): RuleEvent => ({ type: 'RuleDeleted', data: { rule_id, at } });

const ids = async (tenant = T): Promise<string[]> => (await listRules(h.pool, tenant, { limit: 50 })).items.map((item) => item.rule_id);

beforeAll(async () => {
  h = await createReadModelHarness('rules_projection');
  await h.append('rule', T, 'big_order', [created('big_order', t(10)), updated('big_order', t(20), vip)]);
  await h.append('rule', T, 'gone', [created('gone', t(15)), deleted('gone', t(16))]);
  await h.append('rule', T, 'later', [created('later', t(30))]);
  await h.append('rule', 'globex', 'big_order', [created('big_order', t(1))]);
  await h.project(rulesProjection, 3);
});

afterAll(async () => {
  await h.close();
});

describe('rules projection', () => {
  it('shows the current definition of a rule, with its revision and times', async () => {
    expect(await getRule(h.pool, T, 'big_order')).toEqual({
      rule_id: 'big_order',
      name: 'Renamed',
      description: 'About big_order',
      condition: vip,
      revision: 1,
      created_at: t(10),
      updated_at: t(20),
    });
  });

  it('hides deleted rules from reads and lists; lists newest first', async () => {
    expect(await getRule(h.pool, T, 'gone')).toBeUndefined();
    expect(await ids()).toEqual(['later', 'big_order']);
    expect((await listRules(h.pool, T, { limit: 1, order: 'asc' })).items.map((item) => item.rule_id)).toEqual(['big_order']);
  });

  it('keeps the tombstone, so applying the log again cannot bring a deleted rule back; a new create does', async () => {
    const before = await dumpTable(h.pool, 'rules', 'tenant, rule_id');
    await h.replay(rulesProjection, 1);
    expect(await dumpTable(h.pool, 'rules', 'tenant, rule_id')).toEqual(before);
    expect(await getRule(h.pool, T, 'gone')).toBeUndefined();
    await h.append('rule', T, 'gone', [created('gone', t(40))]);
    await h.project(rulesProjection);
    expect(await getRule(h.pool, T, 'gone')).toMatchObject({ revision: 2, created_at: t(40), updated_at: t(40), name: 'Rule gone' });
  });

  it('keeps tenants apart', async () => {
    expect(await ids('globex')).toEqual(['big_order']);
    expect((await getRule(h.pool, 'globex', 'big_order'))?.condition).toEqual(big);
    expect(await getRule(h.pool, 'globex', 'later')).toBeUndefined();
  });
});
