import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions, streamId } from '@iwf/contracts';
import { newestPosition } from '@iwf/command-service/event-store/postgres/testing';
import type { Cache } from '@iwf/platform/cache/cache';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { getWorkflow } from '@iwf/query-service/workflows/read-model';
import { workflowsProjection } from '../workflows/projection.js';
import { created, disabled, enabled, published, toNewEvent } from '../workflows/testing/workflow-events.js';
import { readCheckpoint } from './checkpoints.js';
import type { RunnerLogger } from './logger.js';
import { EventHandlingError } from './projection.js';
import { PROJECTION_CHANNEL, ProjectionRunner } from './runner.js';
import type { ProjectorFixture } from './testing/fixture.js';
import { createProjectorFixture, eventually } from './testing/fixture.js';

const quiet: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let fx: ProjectorFixture;
const runners: ProjectionRunner[] = [];

function start(cache: Cache = createMemoryCache(), name = 'workflows', logger = quiet, poison: 'park' | 'stop' = 'park'): ProjectionRunner {
  const projection = name === workflowsProjection.name ? workflowsProjection : { ...workflowsProjection, name };
  const runner = new ProjectionRunner({ projection, store: fx.store, pool: fx.pool, cache, logger, lockRetryMs: 50, statusIntervalMs: 50, poison });
  runner.done.catch(() => undefined);
  runners.push(runner);
  return runner;
}

const checkpoint = (name = 'workflows') => readCheckpoint(fx.pool, name);
const caughtUp = async (name = 'workflows'): Promise<boolean> => {
  const [head, at] = await Promise.all([newestPosition(fx.pool), checkpoint(name)]);
  return head !== undefined && at?.position !== undefined && comparePositions(at.position, head) === 0;
};
const eventCount = async (): Promise<number> => (await fx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_events.events')).rows[0]!.n;

beforeAll(async () => {
  fx = await createProjectorFixture('runner');
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

afterAll(async () => {
  await fx.close();
});

describe('projection runner', () => {
  it('catches up from the start, commits the checkpoint with the model, and notifies readers', async () => {
    await fx.append('t1', 'a', [created('a', '2024-01-01T00:00:00Z'), disabled('a', '2024-01-02T00:00:00Z')]);
    await fx.append('t1', 'b', [created('b', '2024-01-01T00:00:00Z'), published('b', '2024-01-03T00:00:00Z')]);
    const listener = new pg.Client({ connectionString: fx.db.url });
    await listener.connect();
    const notices: (string | undefined)[] = [];
    listener.on('notification', (message) => notices.push(message.payload));
    await listener.query(`LISTEN ${PROJECTION_CHANNEL}`);
    try {
      const cache = createMemoryCache();
      const runner = start(cache);
      await eventually(() => caughtUp(), Boolean);
      expect(await checkpoint()).toMatchObject({ version: 1, events_applied: 4 });
      expect(await getWorkflow(fx.pool, 't1', 'a')).toMatchObject({ enabled: false, revision: 1 });
      expect((await cache.get('iwf:c:t1:workflow:b'))?.value).toEqual(await getWorkflow(fx.pool, 't1', 'b'));
      await eventually(() => notices, (seen) => seen.includes('workflows'));
      await eventually(() => runner.status(), (status) => status.head_position !== undefined && status.lag_seconds === 0);
      expect(runner.status()).toMatchObject({ state: 'active', events_applied: 4, cache_dirty: false });
    } finally {
      await listener.end();
    }
  });

  it('applies new events as they are appended, and resumes from its checkpoint after a stop', async () => {
    const first = start();
    await eventually(() => caughtUp(), Boolean);
    await fx.append('t1', 'a', [enabled('a', '2024-01-04T00:00:00Z')]);
    await eventually(() => getWorkflow(fx.pool, 't1', 'a'), (view) => view?.enabled === true);
    await first.stop();
    expect(first.status().state).toBe('stopped');
    await fx.append('t1', 'a', [disabled('a', '2024-01-05T00:00:00Z')]);
    start();
    await eventually(() => caughtUp(), Boolean);
    expect(await getWorkflow(fx.pool, 't1', 'a')).toMatchObject({ enabled: false, revision: 3 });
    expect((await checkpoint())?.events_applied).toBe(await eventCount());
  });

  it('keeps one active instance: a standby waits and takes over when the active one stops', async () => {
    const active = start();
    await eventually(() => active.status().state, (state) => state === 'active');
    const standby = start();
    await eventually(() => standby.status().state, (state) => state === 'standby');
    await fx.append('t2', 'c', [created('c', '2024-02-01T00:00:00Z')]);
    await eventually(() => caughtUp(), Boolean);
    expect(standby.status().state).toBe('standby');
    await active.stop();
    await eventually(() => standby.status().state, (state) => state === 'active');
    await fx.append('t2', 'c', [disabled('c', '2024-02-02T00:00:00Z')]);
    await eventually(() => getWorkflow(fx.pool, 't2', 'c'), (view) => view?.enabled === false);
    expect(standby.status().events_applied).toBe(await eventCount());
    expect((await checkpoint())?.events_applied).toBe(await eventCount());
  });

  it('waits out its connections being killed and carries on where it was', async () => {
    const warnings: string[] = [];
    const runner = start(createMemoryCache(), 'workflows', { ...quiet, warn: (_fields, message) => warnings.push(message) });
    await eventually(() => runner.status().state, (state) => state === 'active');
    await fx.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await fx.append('t2', 'd', [created('d', '2024-02-03T00:00:00Z')]);
    await eventually(() => getWorkflow(fx.pool, 't2', 'd'), (view) => view !== undefined);
    await eventually(() => caughtUp(), Boolean);
    await eventually(() => runner.status().state, (state) => state === 'active');
    expect(warnings).toContain('projection lock lost; stepping down');
    expect((await checkpoint())?.events_applied).toBe(await eventCount());
  });

  it('upcasts events stored with an older schema before the projection sees them', async () => {
    start();
    const legacy = {
      workflow_id: 'legacy',
      name: 'Legacy',
      version: '0.9',
      trigger: { type: 'event', event: 'quote.created' },
      steps: [{ id: 'ok', type: 'action', action: { type: 'allow' } }],
      created_at: '2024-04-01T00:00:00Z',
    };
    const event = { ...toNewEvent('t4', created('legacy', 'unused')), schema_version: 1, data: legacy };
    await fx.store.append(streamId('workflow', 't4', 'legacy'), [event], 'no_stream');
    const view = await eventually(() => getWorkflow(fx.pool, 't4', 'legacy'), (found) => found !== undefined);
    expect(view).toMatchObject({
      name: 'Legacy',
      description: null,
      tags: [],
      enabled: true,
      metadata: {},
      definition: { trigger: { type: 'event', event: 'quote.created' }, steps: legacy.steps },
    });
  });

  it('with poison: stop, stops loudly on an event its handler cannot apply, naming the event, and keeps the checkpoint before it', async () => {
    const runner = start(createMemoryCache(), 'workflows_strict', quiet, 'stop');
    await eventually(() => caughtUp('workflows_strict'), Boolean);
    const before = await fx.store.headPosition();
    await fx.append('t3', 'ghost', [enabled('ghost', '2024-03-01T00:00:00Z')]);
    const error: unknown = await runner.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventHandlingError);
    expect(String(error)).toMatch(/WorkflowEnabled workflow:t3:ghost@0/);
    expect(runner.status()).toMatchObject({ state: 'failed', last_error: expect.stringMatching(/before it was created/) });
    expect((await readCheckpoint(fx.pool, 'workflows_strict'))?.position).toEqual(before);
  });
});
