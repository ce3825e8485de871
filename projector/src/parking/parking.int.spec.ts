import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '@iwf/platform/cache/cache';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { getWorkflow } from '@iwf/query-service/workflows/read-model';
import type { RunnerLogger } from '../runner/logger.js';
import type { Projection } from '../runner/projection.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import { ProjectionRunner } from '../runner/runner.js';
import type { ProjectorFixture } from '../runner/testing/fixture.js';
import { createProjectorFixture, eventually } from '../runner/testing/fixture.js';
import { iwf, serviceCache, toolingEnv } from '../verify/testing/cli.js';
import { WORKFLOW_CACHE_KIND, workflowsProjection } from '../workflows/projection.js';
import { created, disabled, enabled, published } from '../workflows/testing/workflow-events.js';
import { listParked } from './store.js';

/** The workflows projection as deployed with a bug: it cannot handle a workflow whose name mentions "poison". */
const buggy: Projection = {
  ...workflowsProjection,
  async apply(tx, events) {
    const bad = events.find((event) => JSON.stringify(event.data).includes('poison'));
    if (bad) throw new Error('cannot index a poisonous name');
    return workflowsProjection.apply(tx, events);
  },
};

let fx: ProjectorFixture;
const warnings: string[] = [];
const logger: RunnerLogger = { info: () => undefined, warn: (_fields, message) => warnings.push(message), error: () => undefined };
const at = (minute: number): string => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
const eventCount = async (): Promise<number> => (await fx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_events.events')).rows[0]!.n;

beforeAll(async () => {
  fx = await createProjectorFixture('parking');
});

afterAll(async () => {
  await fx.close();
});

describe('poison events', () => {
  it('are parked with the later events of their stream while the others proceed; after the fix, iwf parked replay applies them', async () => {
    const runner = new ProjectionRunner({ projection: buggy, store: fx.store, pool: fx.pool, cache: createMemoryCache(), logger, batchSize: 50 });
    await fx.append('t1', 'a', [created('a', at(0))]);
    await fx.append('t1', 'p', [created('p', at(1), { name: 'A poison pill' }), disabled('p', at(2)), enabled('p', at(3))]);
    await fx.append('t1', 'b', [created('b', at(4)), published('b', at(5))]);
    await eventually(async () => (await readCheckpoint(fx.pool, 'workflows'))?.events_applied, (applied) => applied === 6);

    expect(runner.status()).toMatchObject({ state: 'active', parked_events: 3 });
    expect(await getWorkflow(fx.pool, 't1', 'a')).toMatchObject({ revision: 0 });
    expect(await getWorkflow(fx.pool, 't1', 'b')).toMatchObject({ revision: 1, definition_revision: 2 });
    expect(await getWorkflow(fx.pool, 't1', 'p')).toBeUndefined();
    expect(warnings).toContain('event parked; later events of its stream wait for `iwf parked replay`');
    const parked = await listParked(fx.pool, { projection: 'workflows' });
    expect(parked.map(({ stream_id, stream_revision, event_type, reason, error }) => ({ stream_id, stream_revision, event_type, reason, error }))).toEqual([
      { stream_id: 'workflow:t1:p', stream_revision: 0, event_type: 'WorkflowCreated', reason: 'failed', error: 'cannot index a poisonous name' },
      { stream_id: 'workflow:t1:p', stream_revision: 1, event_type: 'WorkflowDisabled', reason: 'held', error: 'held behind the parked event at revision 0 of its stream' },
      { stream_id: 'workflow:t1:p', stream_revision: 2, event_type: 'WorkflowEnabled', reason: 'held', error: 'held behind the parked event at revision 0 of its stream' },
    ]);

    // A later event of the parked stream waits too; other streams keep flowing.
    await fx.append('t1', 'p', [disabled('p', at(6))]);
    await fx.append('t1', 'c', [created('c', at(7))]);
    await eventually(() => getWorkflow(fx.pool, 't1', 'c'), (view) => view !== undefined);
    expect(await listParked(fx.pool, { projection: 'workflows' })).toHaveLength(4);

    const env = toolingEnv(fx.db.url);
    const listed = await iwf(['parked', 'list', '--projection', 'workflows'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^workflows workflow:t1:p@0 WorkflowCreated \(position [0-9a-z]+-[0-9a-z]+, parked .*, failed, 1 attempt\(s\)\): cannot index a poisonous name$/m);
    expect(listed.stdout).toContain('4 parked event(s) waiting');

    // The fix is deployed: the registered workflows projection handles the name.
    const replay = await iwf(['parked', 'replay', '--projection', 'workflows'], env);
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout.match(/^replayed /gm)).toHaveLength(4);
    expect(await getWorkflow(fx.pool, 't1', 'p')).toMatchObject({ name: 'A poison pill', enabled: false, revision: 3 });
    // The replayed view is cached where the services read it (their CACHE_NAMESPACE).
    const cache = serviceCache(env);
    try {
      expect(await cache.get(cacheKey('t1', WORKFLOW_CACHE_KIND, 'p'))).toMatchObject({ revision: 3, value: { name: 'A poison pill', enabled: false } });
      await cache.delete([cacheKey('t1', WORKFLOW_CACHE_KIND, 'p')]);
    } finally {
      await cache.close();
    }
    expect(await listParked(fx.pool, { projection: 'workflows' })).toEqual([]);
    expect(await listParked(fx.pool, { projection: 'workflows', all: true })).toHaveLength(4);

    // The released stream flows through the runner again; the model equals a fresh replay.
    await fx.append('t1', 'p', [enabled('p', at(8))]);
    await eventually(() => getWorkflow(fx.pool, 't1', 'p'), (view) => view?.revision === 4);
    expect(runner.status().parked_events).toBe(0);
    await runner.stop();
    const verify = await iwf(['verify', 'workflows'], env);
    expect(verify.stdout).toContain(`workflows: no drift (${await eventCount()} events replayed`);
    expect(verify.code).toBe(0);
  });

  it('an event that still fails on replay stays parked with its new error, and holds its stream', async () => {
    const runner = new ProjectionRunner({ projection: { ...buggy, name: 'workflows_second' }, store: fx.store, pool: fx.pool, cache: createMemoryCache(), logger });
    await fx.append('t2', 'bad', [enabled('bad', at(0)), disabled('bad', at(1))]);
    await eventually(() => listParked(fx.pool, { projection: 'workflows_second', stream_id: 'workflow:t2:bad' }), (rows) => rows.length === 2);
    await runner.stop();
    const { replayParked } = await import('./replay.js');
    const outcome = await replayParked({ pool: fx.pool, store: fx.store, projection: { ...workflowsProjection, name: 'workflows_second' }, stream: 'workflow:t2:bad' });
    expect(outcome.replayed).toEqual([]);
    expect(outcome.failed.map(({ row, error }) => [row.stream_revision, error])).toEqual([[0, 'WorkflowEnabled for workflow bad before it was created']]);
    expect(outcome.waiting.map((row) => row.stream_revision)).toEqual([1]);
    const [first] = await listParked(fx.pool, { projection: 'workflows_second', stream_id: 'workflow:t2:bad' });
    expect(first).toMatchObject({ reason: 'failed', attempts: 2, error: 'WorkflowEnabled for workflow bad before it was created' });
  });
});
