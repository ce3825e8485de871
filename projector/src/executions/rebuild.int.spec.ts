import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { approvalsProjection } from '../approvals/projection.js';
import { approved, created } from '../approvals/testing/approval-events.js';
import { ingestedEventsProjection } from '../ingested-events/projection.js';
import { rebuildProjection } from '../rebuild/rebuild.js';
import { rulesProjection } from '../rules/projection.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import type { Projection } from '../runner/projection.js';
import { ProjectionRunner } from '../runner/runner.js';
import { eventually } from '../runner/testing/fixture.js';
import { verifyProjection } from '../verify/verify.js';
import { executionsProjection } from './projection.js';
import { t } from './testing/execution-events.js';
import type { ReadModelHarness } from './testing/harness.js';
import { createReadModelHarness, dumpTable } from './testing/harness.js';
import { failedWithRetries, nestedBlocks, orderApproval, statusLoop } from './testing/scenarios.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const PROJECTIONS: readonly Projection[] = [executionsProjection, approvalsProjection, ingestedEventsProjection, rulesProjection];
let h: ReadModelHarness;
const runners: ProjectionRunner[] = [];

beforeAll(async () => {
  h = await createReadModelHarness('engine_rebuild');
  for (const tenant of ['acme', 'globex']) {
    await h.append('execution', tenant, 'x-order', orderApproval('x-order'));
    await h.append('execution', tenant, 'x-erp', failedWithRetries('x-erp'));
    await h.append('execution', tenant, 'x-loop', statusLoop('x-loop'));
    await h.append('execution', tenant, 'x-nested', nestedBlocks('x-nested'));
    await h.append('approval', tenant, 'a1', [created('a1', t(30)), approved('a1', t(90))]);
    await h.append('approval', tenant, 'a2', [created('a2', t(40), { approver_role: 'finance' })]);
    await h.append('ingest', tenant, 'ev-1', [{ type: 'EventIngested', data: { event_id: 'ev-1', event_type: 'order.created', source: 'shop', payload: {}, received_at: t(0), executions: [] } }]);
    await h.append('rule', tenant, 'big', [{ type: 'RuleCreated', data: { rule_id: 'big', name: 'Big', description: null, condition: { field: 'order.total', operator: 'gt', value: 1 }, at: t(1) } }]);
  }
  for (const projection of PROJECTIONS) {
    const runner = new ProjectionRunner({ projection, store: h.store, pool: h.pool, cache: createMemoryCache(), logger: quiet, lockRetryMs: 50 });
    runner.done.catch(() => undefined);
    runners.push(runner);
  }
  const total = (await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_events.events')).rows[0]!.n;
  for (const projection of PROJECTIONS) await eventually(() => readCheckpoint(h.pool, projection.name), (checkpoint) => checkpoint?.events_applied === total);
});

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await h.close();
});

describe('engine read models under iwf verify and iwf rebuild', () => {
  it.each(PROJECTIONS.map((projection) => [projection.name, projection] as const))('%s: the live model equals a fresh replay', async (_name, projection) => {
    const report = await verifyProjection({ pool: h.pool, store: h.store, projection });
    expect(report.differences).toEqual([]);
    expect(report.drift).toBe(0);
  });

  it.each(PROJECTIONS.map((projection) => [projection.name, projection] as const))('%s: a blue/green rebuild gives the same rows', async (_name, projection) => {
    // Every table's primary key is its first two or three columns.
    const dump = () => Promise.all((projection.tables ?? []).map((table) => dumpTable(h.pool, table, '1, 2, 3')));
    const before = await dump();
    expect(before.flat().length).toBeGreaterThan(0);
    await rebuildProjection({ pool: h.pool, store: h.store, projection, batchSize: 5 });
    expect(await dump()).toEqual(before);
  });
});
