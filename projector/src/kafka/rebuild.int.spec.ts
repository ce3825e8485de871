import { describe, expect, it } from 'vitest';
import { formatPosition } from '@iwf/contracts';
import { projections } from '../read-models.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import { iwf, toolingEnv } from '../verify/testing/cli.js';
import { kafkaBackends } from './testing/backends.js';
import { waitFor } from './testing/fixture.js';
import type { KafkaTestbed } from './testing/fixture.js';
import { kafkaModePerTest } from './testing/kafka-mode.js';
import { appendInterleaved } from './testing/workload.js';

function kafkaEnv(bed: KafkaTestbed, group: string): Record<string, string> {
  return { ...toolingEnv(bed.db.url), PROJECTOR_SOURCE: 'kafka', KAFKA_BROKERS: bed.cluster.brokers.join(','), KAFKA_GROUP_ID: group, KAFKA_EVENTS_TOPIC: bed.topics.events };
}

const OUT_OF_GROUP = 'read model stored at another version than the code; this member stays out of the group until `iwf rebuild` builds its version';
const LEFT_GROUP = 'read model swapped to another version than the code; this member leaves the group';

/** Events the group has stored offsets for, over all partitions. */
async function storedOffsets(bed: KafkaTestbed, group: string): Promise<number> {
  const result = await bed.pool.query<{ n: number }>('SELECT coalesce(sum(next_offset), 0)::int AS n FROM iwf_kafka.consumer_offsets WHERE group_id = $1', [group]);
  return result.rows[0]?.n ?? 0;
}

async function workflowsAt(bed: KafkaTestbed, tenant: string, revision: number): Promise<number> {
  const result = await bed.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_read.workflows WHERE tenant = $1 AND revision = $2', [tenant, revision]);
  return result.rows[0]?.n ?? 0;
}

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('iwf rebuild with PROJECTOR_SOURCE=kafka ($description)', (backend) => {
  const session = kafkaModePerTest();

  it.skipIf(!backend.available)('swaps in the model at the head; the group then leaves out what the rebuild covered and applies what follows', async () => {
    const { testbed, mode } = await session.open('kafka_rebuild', backend, 'rebuild');
    const env = kafkaEnv(testbed, 'rebuild');
    await appendInterleaved(testbed.store, { workflows: 20, eventsPerWorkflow: 4, tenant: 'before' });
    await mode.startMember();
    await mode.checkpointsReach((await mode.settle())!);

    // While no member runs, a backlog waits in the topic; the live model drifts meanwhile.
    await mode.stopMembers();
    await appendInterleaved(testbed.store, { workflows: 20, eventsPerWorkflow: 4, tenant: 'backlog' });
    const head = (await mode.relayed())!;
    await testbed.pool.query("UPDATE iwf_read.workflows SET name = 'drifted' WHERE tenant = 'before' AND workflow_id = 'wf-00003'");
    const others = new Map<string, string | undefined>();
    for (const projection of projections.filter((candidate) => candidate.name !== 'workflows')) {
      const position = (await readCheckpoint(testbed.pool, projection.name))?.position;
      others.set(projection.name, position && formatPosition(position));
    }

    const rebuilt = await iwf(['rebuild', 'workflows'], env);
    expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
    expect(rebuilt.stdout).toMatch(new RegExp(`^rebuilt workflows v\\d+: 160 events in [0-9.]+ s \\(\\d+ events/s\\), 0 parked, swapped in at ${formatPosition(head)}$`, 'm'));
    expect((await readCheckpoint(testbed.pool, 'workflows'))?.position).toEqual(head);
    expect(await workflowsAt(testbed, 'backlog', 3)).toBe(20);

    // The backlog reaches every other model; the rebuilt one already has it and is not handed it again.
    await mode.startMember();
    await mode.checkpointsReach((await mode.settle())!);
    expect(mode.covered).toEqual(new Map([['workflows', 80]]));
    for (const [name, before] of others) expect((await readCheckpoint(testbed.pool, name))?.position, name).not.toEqual(before);
    await appendInterleaved(testbed.store, { workflows: 10, eventsPerWorkflow: 3, tenant: 'after' });
    await mode.checkpointsReach((await mode.settle())!);
    expect(await workflowsAt(testbed, 'after', 2)).toBe(10);
    expect(mode.covered.get('workflows')).toBe(80);

    const verified = await iwf(['verify', '--all'], env);
    expect(verified.stdout).not.toContain('DRIFT');
    expect(verified.code).toBe(0);
  });

  it.skipIf(!backend.available)('rebuilds every model while a member applies a stream of appends: nothing is lost, and verify finds no drift', async () => {
    const { testbed, mode } = await session.open('kafka_rebuild_live', backend, 'rebuild-live');
    const env = kafkaEnv(testbed, 'rebuild-live');
    await appendInterleaved(testbed.store, { workflows: 100, eventsPerWorkflow: 10, tenant: 'early' });
    await mode.startMember();
    // Rounds of appends, each under a tenant of its own, until the rebuild is done.
    let rebuilding = true;
    const appending = (async () => {
      let rounds = 0;
      while (rebuilding) await appendInterleaved(testbed.store, { workflows: 20, eventsPerWorkflow: 6, perAppend: 2, writers: 2, tenant: `live-${rounds++}` });
      return rounds;
    })();
    const rebuilt = await iwf(['rebuild', '--all'], env).finally(() => (rebuilding = false));
    expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
    for (const projection of projections) expect(rebuilt.stdout).toMatch(new RegExp(`^rebuilt ${projection.name} v`, 'm'));
    const rounds = await appending;
    expect(rounds).toBeGreaterThan(1);
    await mode.checkpointsReach((await mode.settle(120_000))!);
    expect(await workflowsAt(testbed, 'early', 9)).toBe(100);
    for (let round = 0; round < rounds; round++) expect(await workflowsAt(testbed, `live-${round}`, 5), `live-${round}`).toBe(20);

    const verified = await iwf(['verify', '--all'], env);
    expect(verified.stdout).not.toContain('DRIFT');
    expect(verified.code).toBe(0);
  }, 180_000);
  it.skipIf(!backend.available)("a model stored at another version: the member stays out of the group, verify reports the version, and after a rebuild brings the code's the member catches up", async () => {
    const { testbed, mode } = await session.open('kafka_rebuild_version', backend, 'rebuild-version');
    const env = kafkaEnv(testbed, 'rebuild-version');
    const version = projections.find((projection) => projection.name === 'rules')!.version;
    await testbed.pool.query("INSERT INTO iwf_read.projection_checkpoints (projection, version, commit_pos, prepare_pos) VALUES ('rules', $1, 0, 0)", [version + 1]);
    await appendInterleaved(testbed.store, { workflows: 5, eventsPerWorkflow: 3, tenant: 'versions' });
    const { member, started } = mode.launchMember();
    await mode.relayed();
    await waitFor(async () => testbed.logger.lines.some((line) => line.startsWith(OUT_OF_GROUP)), 10_000, () => testbed.logger.lines.slice(-5).join('\n'));
    expect(member.status()).toMatchObject({ phase: 'awaiting_rebuild', assigned: [], events_applied: 0 });
    expect(member.status().last_error).toContain(`rules is stored at v${version + 1}, this code has v${version}`);
    expect(testbed.logger.lines.filter((line) => line.startsWith(OUT_OF_GROUP))).toEqual([
      expect.stringContaining(`"projection":"rules","stored":${version + 1},"code":${version}`),
    ]);
    expect(await workflowsAt(testbed, 'versions', 2)).toBe(0);
    expect(await storedOffsets(testbed, 'rebuild-version')).toBe(0);
    const drifted = await iwf(['verify', 'rules'], env);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout.split('\n')).toContain(`rules\tprojection_checkpoints\t{"projection":"rules"}\tversion\t${version + 1}\t${version}`);

    expect(await iwf(['rebuild', 'rules'], env)).toMatchObject({ code: 0, stderr: '' });
    expect((await readCheckpoint(testbed.pool, 'rules'))?.version).toBe(version);
    await started;
    await mode.checkpointsReach((await mode.settle())!);
    expect(await workflowsAt(testbed, 'versions', 2)).toBe(5);
    expect(member.status()).toMatchObject({ phase: 'consuming', last_error: undefined });
    expect(await iwf(['verify', '--all'], env)).toMatchObject({ code: 0 });
  });

  it.skipIf(!backend.available)('a member that finds a model swapped to another version while it runs leaves the group, applies nothing more, and rejoins when the versions match', async () => {
    const { testbed, mode } = await session.open('kafka_version_swap', backend, 'version-swap');
    const env = kafkaEnv(testbed, 'version-swap');
    const version = projections.find((projection) => projection.name === 'rules')!.version;
    await appendInterleaved(testbed.store, { workflows: 5, eventsPerWorkflow: 3, tenant: 'first' });
    const member = await mode.startMember();
    await mode.checkpointsReach((await mode.settle())!);
    expect(member.status().assigned.length).toBeGreaterThan(0);

    // What a rebuild by other code leaves behind: the model, stored at another version.
    await testbed.pool.query("UPDATE iwf_read.projection_checkpoints SET version = $1 WHERE projection = 'rules'", [version + 1]);
    await appendInterleaved(testbed.store, { workflows: 5, eventsPerWorkflow: 3, tenant: 'second' });
    await mode.relayed();
    await waitFor(async () => testbed.logger.lines.some((line) => line.startsWith(LEFT_GROUP)), 20_000, () => testbed.logger.lines.slice(-5).join('\n'));
    expect(testbed.logger.lines.find((line) => line.startsWith(LEFT_GROUP))).toContain(`"projection":"rules","stored":${version + 1},"code":${version}`);
    await waitFor(() => member.status().phase === 'awaiting_rebuild', 20_000, () => JSON.stringify(member.status()));
    expect(member.status().assigned).toEqual([]);
    expect(await workflowsAt(testbed, 'second', 2)).toBe(0);

    // Back at this code's version (as a rebuild by this code leaves it): the member rejoins and applies what waited.
    await testbed.pool.query("UPDATE iwf_read.projection_checkpoints SET version = $1 WHERE projection = 'rules'", [version]);
    await mode.checkpointsReach((await mode.settle())!);
    expect(await workflowsAt(testbed, 'second', 2)).toBe(5);
    expect(member.status().phase).toBe('consuming');
    expect(await iwf(['verify', '--all'], env)).toMatchObject({ code: 0 });
  });
});
