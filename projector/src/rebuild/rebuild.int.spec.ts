import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { listWorkflows } from '@iwf/query-service/workflows/read-model';
import { readCheckpoint } from '../runner/checkpoints.js';
import type { RunnerLogger } from '../runner/logger.js';
import { ProjectionRunner } from '../runner/runner.js';
import type { ProjectorFixture } from '../runner/testing/fixture.js';
import { createProjectorFixture, dumpReadModel, eventually } from '../runner/testing/fixture.js';
import { verifyProjection } from '../verify/verify.js';
import { workflowsProjection } from '../workflows/projection.js';
import { created, disabled, enabled, published } from '../workflows/testing/workflow-events.js';
import { rebuildProjection } from './rebuild.js';

const quiet: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let fx: ProjectorFixture;

beforeAll(async () => {
  fx = await createProjectorFixture('rebuild');
});

afterAll(async () => {
  await fx.close();
});

const at = (minute: number): string => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();

/** `count` workflows in a tenant, each created, published twice and toggled: revision 4, definition revision 3. */
async function seed(tenant: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, (_, k) => {
        const id = `wf-${i + k}`;
        return fx.append(tenant, id, [created(id, at(0)), published(id, at(1)), disabled(id, at(2)), published(id, at(3)), enabled(id, at(4))]);
      }),
    );
  }
}

// Counted, not compared with the visible head: another database's open transaction can hold the horizon back.
const caughtUp = async (name: string): Promise<boolean> => {
  const [total, checkpoint] = await Promise.all([eventCount(), readCheckpoint(fx.pool, name)]);
  return checkpoint?.events_applied === total;
};
const eventCount = async (): Promise<number> => (await fx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_events.events')).rows[0]!.n;

/** What a reader of tenant `t-read` must always see in full: every workflow at its last revision, every version. */
async function readWholeTenant(): Promise<string | undefined> {
  const page = await listWorkflows(fx.pool, 't-read', { limit: 500 });
  const versions = await fx.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM iwf_read.workflow_versions WHERE tenant = 't-read'");
  if (page.items.length !== 400) return `listed ${page.items.length} workflows`;
  const stale = page.items.find((item) => item.revision !== 4 || item.definition_revision !== 3 || !item.enabled);
  if (stale) return `saw ${stale.workflow_id} at revision ${stale.revision}`;
  if (versions.rows[0]!.n !== 1200) return `counted ${versions.rows[0]!.n} versions`;
  return undefined;
}

describe('blue/green rebuild', () => {
  it('swaps in a rebuilt model while readers read and writers write; readers never see it half-built', { timeout: 120_000 }, async () => {
    await seed('t-read', 400);
    const runner = new ProjectionRunner({ projection: workflowsProjection, store: fx.store, pool: fx.pool, cache: createMemoryCache(), logger: quiet });
    await eventually(() => caughtUp('workflows'), Boolean, 30_000);

    let reading = true;
    const reads = { count: 0, problems: [] as string[] };
    const reader = (async () => {
      while (reading) {
        const problem = await readWholeTenant().catch((error: unknown) => `error: ${String(error)}`);
        reads.count++;
        if (problem) reads.problems.push(problem);
      }
    })();
    const writer = seed('t-write', 300);

    const result = await rebuildProjection({ pool: fx.pool, store: fx.store, projection: workflowsProjection, batchSize: 200 });
    await writer;
    await eventually(() => caughtUp('workflows'), Boolean, 30_000);
    reading = false;
    await reader;

    expect(reads.problems).toEqual([]);
    expect(reads.count).toBeGreaterThan(20);
    expect(result.events).toBeGreaterThanOrEqual(2000);
    const total = await eventCount();
    expect(total).toBe(3500);
    // The runner resumed from the swapped-in checkpoint: every event counted once, the model complete.
    expect((await readCheckpoint(fx.pool, 'workflows'))?.events_applied).toBe(total);
    const report = await verifyProjection({ pool: fx.pool, store: fx.store, projection: workflowsProjection });
    expect(report).toMatchObject({ drift: 0, differences: [], events: total });
    const schemas = await fx.pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'iwf\\_%' ORDER BY nspname");
    expect(schemas.rows.map((row) => row.nspname)).toEqual(['iwf_events', 'iwf_read']);
    const indexes = await fx.pool.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'iwf_read' AND tablename = 'workflows' ORDER BY 1");
    expect(indexes.rows.map((row) => row.indexname)).toEqual(['workflows_enabled', 'workflows_newest', 'workflows_pkey', 'workflows_tags', 'workflows_trigger_event']);
    await runner.stop();
  });

  it('a runner whose projection has a new version rebuilds it beside the live one and carries on from there', { timeout: 60_000 }, async () => {
    const before = await dumpReadModel(fx.pool);
    const next = { ...workflowsProjection, version: 2 };
    const runner = new ProjectionRunner({ projection: next, store: fx.store, pool: fx.pool, cache: createMemoryCache(), logger: quiet });
    await eventually(() => readCheckpoint(fx.pool, 'workflows'), (checkpoint) => checkpoint?.version === 2, 30_000);
    await eventually(() => runner.status().state, (state) => state === 'active');
    expect(runner.status().rebuild_progress).toBeUndefined();
    expect(await dumpReadModel(fx.pool)).toEqual(before);
    await fx.append('t-read', 'late', [created('late', at(9))]);
    await eventually(() => caughtUp('workflows'), Boolean);
    expect((await listWorkflows(fx.pool, 't-read', { limit: 500 })).items).toHaveLength(401);
    expect(await verifyProjection({ pool: fx.pool, store: fx.store, projection: next })).toMatchObject({ drift: 0 });
    await runner.stop();
  });
});
