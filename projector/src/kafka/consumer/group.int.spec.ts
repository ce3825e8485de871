import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaTestbed } from '../testing/fixture.js';
import { createKafkaTestbed, sleep } from '../testing/fixture.js';
import { kafkaBackends } from '../testing/backends.js';
import type { ScenarioResult } from '../testing/scenario.js';
import { runScenario } from '../testing/scenario.js';

const WORKFLOWS = 2_500;
const EVENTS_PER_WORKFLOW = 20;
const TOTAL = WORKFLOWS * EVENTS_PER_WORKFLOW;

/** What must hold after any disruption: every message applied exactly once, every stream in order, models equal to a replay. */
function expectExactlyOnce(result: ScenarioResult): void {
  const published = result.partitions.reduce((sum, tally) => sum + Number(tally.high), 0);
  expect(result.partitions).toHaveLength(6);
  for (const tally of result.partitions) {
    // Offsets start at 0: a partition of N messages applied in full and once has applied N.
    expect(tally.next_offset).toBe(tally.high);
    expect(tally.events_applied).toBe(Number(tally.high));
  }
  expect(published).toBeGreaterThanOrEqual(TOTAL);
  // Each stream advanced one revision at a time to its last: nothing lost, nothing out of order.
  expect(result.probe).toMatchObject({ streams: WORKFLOWS, applied: TOTAL, gaps: 0, incomplete: 0 });
  // Each published message went to the probe once, unless its checkpoint (the group's
  // watermark) already covered it; any surplus over TOTAL is the relay's resends.
  const covered = result.members.reduce((sum, member) => sum + member.covered(), 0);
  expect(result.probe.deliveries + covered).toBe(published);
  expect(result.probe.duplicates).toBe(published - covered - TOTAL);
  for (const replay of result.replays) {
    expect(replay.differences, replay.projection).toEqual([]);
    expect(replay.drift).toBe(0);
  }
  expect(result.replays.find((replay) => replay.projection === 'workflows')?.events).toBeGreaterThanOrEqual(TOTAL);
}

function report(name: string, result: ScenarioResult): void {
  const published = result.partitions.reduce((sum, tally) => sum + Number(tally.high), 0);
  process.stdout.write(`${name}: ${result.events} events in ${result.seconds.toFixed(1)} s; published ${published}; members applied ${result.members.map((member) => member.applied()).join('/')}\n`);
}

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())(`${TOTAL} events to 3 projector processes in one group ($description)`, (backend) => {
  let bed: KafkaTestbed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  it.skipIf(!backend.available)('a member SIGKILLed mid-run: the others take its partitions over from the stored offsets', async () => {
    bed = await createKafkaTestbed('kafka_group_kill', backend);
    let appliedBeforeKill = 0;
    const result = await runScenario(bed, {
      group: 'projector-kill',
      workflows: WORKFLOWS,
      eventsPerWorkflow: EVENTS_PER_WORKFLOW,
      members: 3,
      disrupt: {
        afterApplied: TOTAL / 4,
        run: async (members) => {
          const victim = members.find((member) => member.applied() > 0) ?? members[0]!;
          victim.child.kill('SIGKILL');
          expect(await victim.exited).toBe('SIGKILL');
          appliedBeforeKill = members.filter((member) => member !== victim).reduce((sum, member) => sum + member.applied(), 0);
        },
      },
    });
    report('kill', result);
    expectExactlyOnce(result);
    const survivors = result.members.filter((member) => member.child.signalCode !== 'SIGKILL');
    expect(survivors).toHaveLength(2);
    expect(survivors.reduce((sum, member) => sum + member.applied(), 0)).toBeGreaterThan(appliedBeforeKill);
  }, 300_000);

  it.skipIf(!backend.available)('a broker down for 10 s: relay and members wait it out, and nothing is lost or applied twice', async () => {
    bed = await createKafkaTestbed('kafka_group_outage', backend);
    const { cluster } = bed;
    const result = await runScenario(bed, {
      group: 'projector-outage',
      workflows: WORKFLOWS,
      eventsPerWorkflow: EVENTS_PER_WORKFLOW,
      members: 3,
      disrupt: {
        afterApplied: TOTAL / 4,
        run: async () => {
          await cluster.brokerDown(2);
          await sleep(10_000);
          await cluster.brokerUp(2);
        },
      },
    });
    report('outage', result);
    expectExactlyOnce(result);
  }, 300_000);
});
