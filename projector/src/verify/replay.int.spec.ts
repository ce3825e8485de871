import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, ExecutionEvent } from '@iwf/contracts';
import { currentSchemaVersion, streamId } from '@iwf/contracts';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { iwf, toolingEnv } from './testing/cli.js';
import { REVIEW_RULES, recordOrderReview } from './testing/scenario.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: EventStore;

const newEvent = (tenant: string, type: string, data: unknown) => ({ event_id: randomUUID(), type, schema_version: currentSchemaVersion(type), data, metadata: { tenant, actor: 'engine', correlation_id: 'c' } });

/**
 * A tenant with the rule as it stood when its execution ran (made stricter afterwards) and
 * the execution `ex-1` (ids inside the history derive from it, so it keeps its own).
 */
async function recordTenant(tenant: string, events: readonly ExecutionEvent[]): Promise<void> {
  const rule = { rule_id: 'big-order', name: 'Big order', description: null };
  await store.append(streamId('rule', tenant, 'big-order'), [
    newEvent(tenant, 'RuleCreated', { ...rule, condition: REVIEW_RULES['big-order'], at: '2024-04-01T00:00:00.000Z' }),
    newEvent(tenant, 'RuleUpdated', { ...rule, condition: { field: 'order.total', operator: 'gte', value: 1_000_000 }, at: '2024-06-01T00:00:00.000Z' }),
  ], 'no_stream');
  await store.append(streamId('execution', tenant, 'ex-1'), events.map((event) => newEvent(tenant, event.type, event.data)), 'no_stream');
}

beforeAll(async () => {
  db = await createTestDatabase('replay_check');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrateUp(pool, eventStoreMigrations);
  store = createPostgresEventStore({ pool });
  await recordTenant('acme', recordOrderReview().events);
  await recordTenant('beta', recordOrderReview(40).events);
});

afterAll(async () => {
  await store.close();
  await pool.end();
  await db.drop();
});

describe('iwf replay-check', () => {
  it('replays recorded executions through the current engine, with the rules as they were then, and finds none that differ', async () => {
    const result = await iwf(['replay-check'], toolingEnv(db.url));
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'checked 2 executions: all replay the same\n' });
  });

  it('lists an execution whose recorded decisions the current engine would not make, and exits 1', async () => {
    const { events } = recordOrderReview();
    const at = events.findIndex((event) => event.type === 'ConditionEvaluated');
    // As an engine whose rule evaluation changed since would have recorded it.
    await recordTenant('gamma', events.map((event, index) => (index === at ? ({ ...event, data: { ...event.data, result: false } } as ExecutionEvent) : event)));
    const result = await iwf(['replay-check'], toolingEnv(db.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^DIFFERS execution:gamma:ex-1 \(workflow wf\) at revision \d+, on RecordEffectResult:$/m);
    expect(result.stdout).toMatch(/recorded \{.*"result":false/);
    expect(result.stdout).toContain('checked 3 executions: 1 would decide differently');
    const json = await iwf(['replay-check', '--tenant', 'gamma', '--execution', 'ex-1', '--json'], toolingEnv(db.url));
    expect(JSON.parse(json.stdout)).toMatchObject({ checked: 1, findings: [{ stream_id: 'execution:gamma:ex-1', workflow_id: 'wf', divergence: { command: 'RecordEffectResult' } }] });
    expect((await iwf(['replay-check', '--tenant', 'acme'], toolingEnv(db.url))).code).toBe(0);
    expect((await iwf(['replay-check', '--workflow', 'other'], toolingEnv(db.url))).stdout).toBe('checked 0 executions: all replay the same\n');
  });
});
