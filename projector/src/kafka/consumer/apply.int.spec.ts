import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@iwf/contracts';
import { upcastRecorded } from '@iwf/contracts';
import { migrateUp } from '@iwf/platform/db/migrations';
import { getWorkflow } from '@iwf/query-service/workflows/read-model';
import { readCheckpoint } from '../../runner/checkpoints.js';
import type { Projection } from '../../runner/projection.js';
import type { ProjectorFixture } from '../../runner/testing/fixture.js';
import { createProjectorFixture } from '../../runner/testing/fixture.js';
import { workflowsProjection } from '../../workflows/projection.js';
import { created, disabled, enabled, published, recordAll } from '../../workflows/testing/workflow-events.js';
import { createCheckpoints, raiseCheckpoints } from '../checkpoints.js';
import { kafkaMigrations } from '../migrations.js';
import { readPartitionProgress } from '../offsets.js';
import type { PartitionOutcome } from './apply.js';
import { applyPartitionBatch } from './apply.js';

const at = (minute: number): string => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
const OPTIONS = { upcast: upcastRecorded, park: true };
let fx: ProjectorFixture;

beforeAll(async () => {
  fx = await createProjectorFixture('kafka_apply');
  await migrateUp(fx.pool, kafkaMigrations);
  await createCheckpoints(fx.pool, [workflowsProjection]);
});

afterAll(async () => {
  await fx.close();
});

const batchOf = (partition: number, events: readonly RecordedEvent[], firstOffset = 0n) => ({
  group: 'apply',
  topic: 'iwf.events',
  partition,
  messages: events.map((event, index) => ({ offset: firstOffset + BigInt(index), event })),
});

/** Settles once the promise does; `settled()` tells whether it has yet. */
function watch<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a partition batch and the projection checkpoints', () => {
  it('waits while a rebuild or a parked replay holds the checkpoint, then leaves out the events it moved the checkpoint over', async () => {
    const events = recordAll('t1', 'swapped', [created('swapped', at(0)), published('swapped', at(1)), disabled('swapped', at(2)), enabled('swapped', at(3))], 100n);
    // As a rebuild's swap does: lock the checkpoint row, put the model in place up to a position, move the checkpoint there.
    const holder = await fx.pool.connect();
    let outcome: PartitionOutcome;
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM iwf_read.projection_checkpoints WHERE projection = 'workflows' FOR UPDATE");
      await workflowsProjection.apply(holder, events.slice(0, 2));
      await holder.query("UPDATE iwf_read.projection_checkpoints SET commit_pos = $1, prepare_pos = $1 WHERE projection = 'workflows'", [events[1]!.position.commit.toString()]);
      const batch = watch(applyPartitionBatch(fx.pool, [workflowsProjection], batchOf(0, events), OPTIONS));
      await sleep(500);
      expect(batch.settled()).toBe(false);
      await holder.query('COMMIT');
      outcome = await batch.promise;
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    expect(outcome).toMatchObject({ kind: 'applied', next: 4n, applied: 4, skipped: 0, covered: new Map([['workflows', 2]]), parked: [] });
    expect(await getWorkflow(fx.pool, 't1', 'swapped')).toMatchObject({ revision: 3, enabled: true });
    // The partition's offset and its highest applied position moved with the batch.
    expect((await readPartitionProgress(fx.pool, 'apply', 'iwf.events')).get(0)).toEqual({ next: 4n, applied: events[3]!.position });
  });

  it('lets the watermark raise the checkpoint while batches apply, but keeps a rebuild waiting for them', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const slow: Projection = {
      ...workflowsProjection,
      async apply(tx, batch) {
        entered();
        await gate;
        return workflowsProjection.apply(tx, batch);
      },
    };
    const events = recordAll('t1', 'gated', [created('gated', at(0)), published('gated', at(1))], 200n);
    const batch = watch(applyPartitionBatch(fx.pool, [slow], batchOf(1, events), OPTIONS));
    try {
      await inside;
      // A non-key update of the row: the watermark keeper's raise goes through at once.
      expect(await raiseCheckpoints(fx.pool, ['workflows'], { commit: 150n, prepare: 150n })).toEqual(['workflows']);
      expect((await readCheckpoint(fx.pool, 'workflows'))?.position).toEqual({ commit: 150n, prepare: 150n });
      // Locking it for update (a rebuild's swap, a parked replay) waits for the batch.
      const client = await fx.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL lock_timeout = 300');
        await expect(client.query("SELECT 1 FROM iwf_read.projection_checkpoints WHERE projection = 'workflows' FOR UPDATE")).rejects.toMatchObject({ code: '55P03' });
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      expect(batch.settled()).toBe(false);
    } finally {
      release();
    }
    expect(await batch.promise).toMatchObject({ kind: 'applied', applied: 2, covered: new Map() });
    expect(await getWorkflow(fx.pool, 't1', 'gated')).toMatchObject({ revision: 1 });
  });

  it('raises a checkpoint only forward, and creates the rows a batch finds missing', async () => {
    expect(await raiseCheckpoints(fx.pool, ['workflows'], { commit: 120n, prepare: 120n })).toEqual([]);
    expect((await readCheckpoint(fx.pool, 'workflows'))?.position).toEqual({ commit: 150n, prepare: 150n });
    const fresh: Projection = { ...workflowsProjection, name: 'workflows_fresh', version: 7 };
    const events = recordAll('t2', 'new', [created('new', at(0))], 300n);
    expect(await applyPartitionBatch(fx.pool, [fresh], batchOf(2, events), OPTIONS)).toMatchObject({ kind: 'applied', applied: 1, covered: new Map() });
    expect(await readCheckpoint(fx.pool, 'workflows_fresh')).toMatchObject({ version: 7, position: undefined });
  });
});
