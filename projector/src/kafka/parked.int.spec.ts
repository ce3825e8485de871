import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '@iwf/contracts';
import { streamId } from '@iwf/contracts';
import { getWorkflow } from '@iwf/query-service/workflows/read-model';
import { replayParked } from '../parking/replay.js';
import { listParked } from '../parking/store.js';
import { projections } from '../read-models.js';
import type { Projection } from '../runner/projection.js';
import { iwf, toolingEnv } from '../verify/testing/cli.js';
import { workflowsProjection } from '../workflows/projection.js';
import { created, disabled, enabled, toNewEvent } from '../workflows/testing/workflow-events.js';
import { kafkaBackends } from './testing/backends.js';
import { waitFor } from './testing/fixture.js';
import { kafkaModePerTest } from './testing/kafka-mode.js';

/** The workflows projection as deployed with a bug: it cannot handle a workflow whose name mentions "poison". */
const buggy: Projection = {
  ...workflowsProjection,
  async apply(tx, events) {
    if (events.some((event) => JSON.stringify(event.data).includes('poison'))) throw new Error('cannot index a poisonous name');
    return workflowsProjection.apply(tx, events);
  },
};

const at = (minute: number): string => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('parked events with PROJECTOR_SOURCE=kafka ($description)', (backend) => {
  const session = kafkaModePerTest();

  it.skipIf(!backend.available)('the group parks what it cannot apply; iwf parked lists it, a replay that fails again keeps it, and after the fix the replay applies it and the stream flows again', async () => {
    const { testbed, mode } = await session.open('kafka_parked', backend, 'parked');
    const append = async (workflow: string, events: WorkflowEvent[]): Promise<void> => {
      await testbed.store.append(streamId('workflow', 't1', workflow), events.map((event) => toNewEvent('t1', event)), 'any');
    };
    const env = { ...toolingEnv(testbed.db.url), PROJECTOR_SOURCE: 'kafka', KAFKA_BROKERS: testbed.cluster.brokers.join(','), KAFKA_GROUP_ID: 'parked' };
    await mode.startMember(projections.map((projection) => (projection.name === 'workflows' ? buggy : projection)));
    await append('a', [created('a', at(0))]);
    await append('p', [created('p', at(1), { name: 'A poison pill' }), disabled('p', at(2)), enabled('p', at(3))]);
    await append('b', [created('b', at(4))]);
    await mode.checkpointsReach((await mode.settle())!);
    expect(await getWorkflow(testbed.pool, 't1', 'a')).toMatchObject({ revision: 0 });
    expect(await getWorkflow(testbed.pool, 't1', 'p')).toBeUndefined();

    const listed = await iwf(['parked', 'list', '--projection', 'workflows'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^workflows workflow:t1:p@0 WorkflowCreated \(position [0-9a-z]+-[0-9a-z]+, parked .*, failed, 1 attempt\(s\)\): cannot index a poisonous name$/m);
    expect(listed.stdout).toMatch(/^workflows workflow:t1:p@2 WorkflowEnabled .* held, 1 attempt\(s\)\): held behind the parked event at revision 0 of its stream$/m);
    expect(listed.stdout).toContain('3 parked event(s) waiting');

    // A later event of the parked stream waits too; other streams keep flowing.
    await append('p', [disabled('p', at(5))]);
    await append('c', [created('c', at(6))]);
    await mode.checkpointsReach((await mode.settle())!);
    expect(await getWorkflow(testbed.pool, 't1', 'c')).toMatchObject({ revision: 0 });
    expect(await listParked(testbed.pool, { projection: 'workflows' })).toHaveLength(4);

    // A replay with the bug still deployed: the event fails again and keeps its stream waiting.
    const again = await replayParked({ pool: testbed.pool, store: testbed.store, projection: buggy });
    expect(again.replayed).toEqual([]);
    expect(again.failed.map(({ row, error }) => [row.stream_revision, error])).toEqual([[0, 'cannot index a poisonous name']]);
    expect(again.waiting.map((row) => row.stream_revision)).toEqual([1, 2, 3]);
    expect((await listParked(testbed.pool, { projection: 'workflows' }))[0]).toMatchObject({ reason: 'failed', attempts: 2 });

    // The fix is deployed (the registered projection handles the name), the member with it.
    await mode.stopMembers();
    await mode.startMember();
    const replay = await iwf(['parked', 'replay', '--projection', 'workflows'], env);
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout.match(/^replayed /gm)).toHaveLength(4);
    expect(await getWorkflow(testbed.pool, 't1', 'p')).toMatchObject({ name: 'A poison pill', enabled: false, revision: 3 });
    expect(await listParked(testbed.pool, { projection: 'workflows' })).toEqual([]);

    // The released stream flows through the group again; the models equal a replay of the log.
    await append('p', [enabled('p', at(7))]);
    await waitFor(async () => (await getWorkflow(testbed.pool, 't1', 'p'))?.revision === 4, 30_000, () => 'p not released');
    await mode.checkpointsReach((await mode.settle())!);
    expect(await listParked(testbed.pool, { projection: 'workflows' })).toEqual([]);
    const verified = await iwf(['verify', '--all'], env);
    expect(verified.stdout).not.toContain('DRIFT');
    expect(verified.code).toBe(0);
  });
});
