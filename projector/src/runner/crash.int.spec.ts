import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { newestPosition } from '@iwf/command-service/event-store/postgres/testing';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { readModelMigrations } from '../read-models.js';
import { workflowsProjection } from '../workflows/projection.js';
import type { Child } from '../verify/testing/processes.js';
import { CHILD_APPLICATION_NAME, startProjector } from '../verify/testing/processes.js';
import { archived, created, definition, disabled, enabled, published } from '../workflows/testing/workflow-events.js';
import { readCheckpoint } from './checkpoints.js';
import { ProjectionRunner } from './runner.js';
import type { ProjectorFixture } from './testing/fixture.js';
import { createProjectorFixture, dumpReadModel, eventually } from './testing/fixture.js';

let fx: ProjectorFixture;
let replayDb: TestDatabase;
let replayPool: pg.Pool;

beforeAll(async () => {
  fx = await createProjectorFixture('crash');
  replayDb = await createTestDatabase('crash_replay');
  replayPool = new pg.Pool({ connectionString: replayDb.url, max: 4 });
  // Dropping the database WITH (FORCE) may still find an idle connection of the ended pool.
  replayPool.on('error', () => undefined);
  await migrateUp(replayPool, readModelMigrations);
});

afterAll(async () => {
  await replayPool.end();
  await replayDb.drop();
  await fx.close();
});

/** A deterministic history per workflow: created, then publishes and toggles, sometimes archived. */
function workload(tenants: number, perTenant: number, rounds: number): { tenant: string; id: string; events: WorkflowEvent[] }[] {
  let seed = 42;
  const next = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const at = (round: number): string => new Date(Date.UTC(2024, 0, 1) + round * 60_000 + next(1000)).toISOString();
  const triggers = ['order.created', 'order.*', 'invoice.paid', '*'];
  const all = [];
  for (let t = 0; t < tenants; t++) {
    for (let w = 0; w < perTenant; w++) {
      const id = `wf-${w}`;
      const events: WorkflowEvent[] = [created(id, at(0), { tags: [`tag-${next(5)}`], definition: definition(triggers[next(4)]) })];
      for (let round = 1; round < rounds; round++) {
        const choice = next(3);
        if (choice === 0) events.push(published(id, at(round), { version: `1.${round}`, tags: [`tag-${next(5)}`], definition: definition(triggers[next(4)]) }));
        else events.push(choice === 1 ? enabled(id, at(round)) : disabled(id, at(round)));
      }
      if (next(10) === 0) events.push(archived(id, at(rounds)));
      all.push({ tenant: `tenant-${t}`, id, events });
    }
  }
  return all;
}

/** Appends one event per call, round by round, so each batch spans many streams. */
async function appendRounds(streams: ReturnType<typeof workload>, from: number, to: number): Promise<void> {
  for (let round = from; round < to; round++) {
    const due = streams.filter((stream) => stream.events[round]);
    for (let i = 0; i < due.length; i += 16) {
      await Promise.all(due.slice(i, i + 16).map((stream) => fx.append(stream.tenant, stream.id, [stream.events[round]!])));
    }
  }
}

const openBatch = async (): Promise<boolean> => {
  const result = await fx.pool.query(
    "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction' AND datname = current_database()",
    [CHILD_APPLICATION_NAME],
  );
  return result.rowCount === 1;
};
const checkpoint = (pool = fx.pool) => readCheckpoint(pool, 'workflows');
const eventCount = async (): Promise<number> => (await fx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_events.events')).rows[0]!.n;
const reached = async (pool: pg.Pool): Promise<boolean> => {
  const [head, at] = await Promise.all([newestPosition(fx.pool), checkpoint(pool)]);
  return head !== undefined && at?.position !== undefined && comparePositions(at.position, head) === 0;
};

/** The workflows projection alone, in small batches, with its whole log on stderr. */
const WORKFLOWS_ONLY = { IWF_PROJECTIONS: 'workflows', IWF_BATCH_SIZE: '10', IWF_POOL_SIZE: '4', IWF_LOG: 'all' };

/** Waits for the condition, failing at once (with its stderr) if the child exits first. */
async function whileRunning<T>(projector: Child, condition: Promise<T>): Promise<T> {
  const exit = projector.exited.then((how) => {
    throw new Error(`projector exited (${String(how)}) early:\n${projector.stderr()}`);
  });
  return Promise.race([condition, exit]);
}

describe('crash recovery', () => {
  it('killing the projector mid-batch and starting it again leaves the read model equal to a fresh replay', { timeout: 180_000 }, async () => {
    const streams = workload(3, 80, 13);
    await appendRounds(streams, 0, 6);
    const more = appendRounds(streams, 6, 14);

    for (const target of [400, 900, 1400]) {
      const projector = await startProjector(fx.db.url, { ...WORKFLOWS_ONLY, IWF_APPLY_DELAY_MS: '5' });
      await whileRunning(projector, eventually(async () => (await checkpoint())?.events_applied ?? 0, (applied) => applied >= target, 60_000));
      // Kill while a batch is written but not committed.
      await whileRunning(projector, eventually(openBatch, Boolean, 10_000));
      projector.process.kill('SIGKILL');
      expect(await projector.exited).toBe('SIGKILL');
      expect(await reached(fx.pool)).toBe(false);
    }

    await more;
    const last = await startProjector(fx.db.url, WORKFLOWS_ONLY);
    await whileRunning(last, eventually(() => reached(fx.pool), Boolean, 60_000));
    last.process.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const replay = new ProjectionRunner({ projection: workflowsProjection, store: fx.store, pool: replayPool, cache: createMemoryCache(), logger: quiet });
    await eventually(() => reached(replayPool), Boolean, 60_000);
    await replay.stop();

    const total = await eventCount();
    expect(total).toBeGreaterThan(2500);
    expect((await checkpoint())?.events_applied).toBe(total);
    expect((await checkpoint(replayPool))?.events_applied).toBe(total);
    const [live, fresh] = await Promise.all([dumpReadModel(fx.pool), dumpReadModel(replayPool)]);
    expect(live.workflows).toHaveLength(240);
    expect(live).toEqual(fresh);
  });
});
