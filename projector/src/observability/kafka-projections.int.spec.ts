import { describe, expect, it } from 'vitest';
import type { KafkaGroupProjector } from '../kafka/consumer/group-projector.js';
import { kafkaBackends } from '../kafka/testing/backends.js';
import { EVENT_PARTITIONS, waitFor } from '../kafka/testing/fixture.js';
import { kafkaModePerTest } from '../kafka/testing/kafka-mode.js';
import { appendInterleaved } from '../kafka/testing/workload.js';
import { projections } from '../read-models.js';
import type { KafkaProjectionStatus } from './kafka-projections.js';
import { holdsFirstPartition, kafkaProjectionStatuses, startKafkaProjectionSampler } from './kafka-projections.js';

const names = projections.map((projection) => projection.name);

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('projection statuses of a Kafka consumer group ($description)', (backend) => {
  const session = kafkaModePerTest();

  it.skipIf(!backend.available)('two members share the partitions: both active, the one holding partition 0 alone reports, at the head once the group settled', async () => {
    const { testbed, mode } = await session.open('kafka_statuses', backend, 'statuses');
    await appendInterleaved(testbed.store, { workflows: 12, eventsPerWorkflow: 4 });
    const members: KafkaGroupProjector[] = await Promise.all([mode.startMember(), mode.startMember()]);
    const head = await mode.settle();
    await mode.checkpointsReach(head!);
    // Each member samples as the projector does: only while it holds partition 0.
    const samplers = members.map((member) =>
      startKafkaProjectionSampler({ pool: testbed.pool, store: testbed.store, group: 'statuses', topic: testbed.topics.events, projections: names, intervalMs: 100, reporting: () => holdsFirstPartition(member.status()) }),
    );
    try {
      let statuses: KafkaProjectionStatus[][] = [];
      const settled = (): boolean => {
        statuses = members.map((member, index) => kafkaProjectionStatuses(names, member.status(), samplers[index]!.latest(), undefined));
        const reporters = statuses.filter((member) => member.every((status) => status.reports_position));
        const position = reporters[0]?.[0]?.position;
        return (
          statuses.every((member) => member.every((status) => status.state === 'active')) &&
          reporters.length === 1 &&
          statuses.filter((member) => member.every((status) => !status.reports_position)).length === 1 &&
          position?.prepare === head!.prepare &&
          position.commit === head!.commit
        );
      };
      await waitFor(settled, 60_000, () => JSON.stringify(members.map((member) => member.status().assigned)) + JSON.stringify(statuses, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)));
      expect(members.flatMap((member) => member.status().assigned).sort((a, b) => a - b)).toEqual(Array.from({ length: EVENT_PARTITIONS }, (_, partition) => partition));
      const reporter = statuses.find((member) => member[0]!.reports_position)!;
      // The other member keeps no sample: it read nothing.
      expect(samplers.filter((sampler) => sampler.latest() === undefined)).toHaveLength(1);
      for (const status of reporter) {
        expect(status).toMatchObject({ state: 'active', position: head, head_position: head, lag_seconds: 0, cache_dirty: false, parked_events: 0 });
        // Every message the group applied, whichever member applied it.
        expect(status.events_applied).toBeGreaterThanOrEqual(48);
      }
    } finally {
      await Promise.all(samplers.map((sampler) => sampler.close()));
    }
  });
});
