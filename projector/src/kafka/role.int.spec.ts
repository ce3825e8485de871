import type { ScaleOutConfig } from '@iwf/platform/config/scale-out';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectorRole } from '../runtime/projector-role.js';
import { startProjectorRole } from '../runtime/projector-role.js';
import { workflowsProjection } from '../workflows/projection.js';
import { kafkaBackends } from './testing/backends.js';
import type { KafkaTestbed } from './testing/fixture.js';
import { createKafkaTestbed, waitFor } from './testing/fixture.js';
import { appendInterleaved } from './testing/workload.js';
import { verifyProjection } from '../verify/verify.js';

/** Workflows of a tenant at their last revision in the read model. */
async function upToDate(bed: KafkaTestbed, tenant: string, revision: number): Promise<number> {
  const result = await bed.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_read.workflows WHERE tenant = $1 AND revision = $2', [tenant, revision]);
  return Number(result.rows[0]?.n ?? 0);
}

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('projector role with PROJECTOR_SOURCE=kafka ($description)', (backend) => {
  let bed: KafkaTestbed | undefined;
  const roles: ProjectorRole[] = [];
  afterEach(async () => {
    for (const role of roles.splice(0)) await role.close();
    await bed?.close();
    bed = undefined;
  });

  it.skipIf(!backend.available)('relays and projects; the second process relays once the first one stops, and the models equal a replay', async () => {
    bed = await createKafkaTestbed('kafka_role', backend);
    const testbed = bed;
    const scaleOut: ScaleOutConfig = {
      eventStore: 'postgres',
      kurrentDbUrl: undefined,
      projectorSource: 'kafka',
      kafka: { brokers: testbed.cluster.brokers, clientId: 'role-test', topics: testbed.topics, groupId: 'role-test', relay: true, idempotent: testbed.idempotent },
    };
    const start = (): ProjectorRole => {
      const role = startProjectorRole({ store: testbed.store, pool: testbed.pool, cache: createMemoryCache(), logger: testbed.logger, scaleOut });
      roles.push(role);
      return role;
    };
    const first = start();
    expect(first.runners).toEqual([]);
    await waitFor(() => first.kafka?.relay?.status().state === 'active', 30_000, () => `first relay ${first.kafka?.relay?.status().state}`);
    const second = start();
    await waitFor(() => second.kafka?.relay?.status().state === 'standby', 30_000, () => `second relay ${second.kafka?.relay?.status().state}`);

    await appendInterleaved(testbed.store, { workflows: 20, eventsPerWorkflow: 5, tenant: 'tenant-one' });
    // A member joining the group on the mock cluster may wait out a session timeout (30 s) first.
    await waitFor(async () => (await upToDate(testbed, 'tenant-one', 4)) === 20, 90_000, () => 'first batch not projected');

    await first.close();
    roles.splice(roles.indexOf(first), 1);
    await waitFor(() => second.kafka?.relay?.status().state === 'active', 30_000, () => `second relay ${second.kafka?.relay?.status().state}`);
    await appendInterleaved(testbed.store, { workflows: 20, eventsPerWorkflow: 5, tenant: 'tenant-two' });
    await waitFor(async () => (await upToDate(testbed, 'tenant-two', 4)) === 20, 60_000, () => 'second batch not projected');

    // What `iwf verify` reports for the model the group keeps.
    const report = await verifyProjection({ pool: testbed.pool, store: testbed.store, projection: workflowsProjection, kafka: { group: 'role-test', topic: testbed.topics.events } });
    expect(report).toMatchObject({ drift: 0, differences: [] });
    expect(report.events).toBe(200);
  }, 180_000); // a member joining or leaving may be noticed only at the group's session timeout (30 s)
});
