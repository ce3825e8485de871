import { describe, expect, it } from 'vitest';
import { comparePositions, formatPosition } from '@iwf/contracts';
import { projections } from '../../read-models.js';
import { readCheckpoint } from '../../runner/checkpoints.js';
import { createKafka } from '../client.js';
import { readGroupWatermark, readRelayCheckpoint } from '../offsets.js';
import { kafkaBackends } from '../testing/backends.js';
import type { KafkaTestbed } from '../testing/fixture.js';
import { EVENT_PARTITIONS, quietLogger, waitFor } from '../testing/fixture.js';
import { kafkaModePerTest } from '../testing/kafka-mode.js';
import { highWatermarks } from '../testing/topic-reader.js';
import { appendInterleaved } from '../testing/workload.js';
import { WatermarkKeeper } from './watermark.js';

const names = projections.map((projection) => projection.name);

async function checkpointPositions(bed: KafkaTestbed): Promise<string[]> {
  const positions: string[] = [];
  for (const name of names) {
    const position = (await readCheckpoint(bed.pool, name))?.position;
    positions.push(position ? formatPosition(position) : '-');
  }
  return positions;
}

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('the Kafka group watermark raises the projection checkpoints ($description)', (backend) => {
  const session = kafkaModePerTest();

  it.skipIf(!backend.available)('to the head at rest though most partitions never got a message; held while partitions have messages nobody applied', async () => {
    const { testbed, mode } = await session.open('kafka_watermark', backend, 'watermark');
    // Two streams reach two partitions at most: the other four stay empty.
    await appendInterleaved(testbed.store, { workflows: 2, eventsPerWorkflow: 5, tenant: 'few' });
    await mode.startMember();
    const head = await mode.settle();
    await mode.checkpointsReach(head!);
    const empty = [...(await highWatermarks(testbed.kafka, testbed.topics.events)).values()].filter((high) => high === 0n);
    expect(empty.length).toBeGreaterThanOrEqual(EVENT_PARTITIONS - 2);
    expect(await checkpointPositions(testbed)).toEqual(names.map(() => formatPosition(head!)));
    expect(await readGroupWatermark(testbed.pool, 'watermark', testbed.topics.events)).toEqual({ partitions: EVENT_PARTITIONS, position: head });
    expect(mode.covered).toEqual(new Map());

    // No member: the relay publishes a backlog to partitions whose messages nobody applies.
    await mode.stopMembers();
    await appendInterleaved(testbed.store, { workflows: 30, eventsPerWorkflow: 4, tenant: 'many' });
    const newHead = (await mode.relayed())!;
    const keeper = new WatermarkKeeper({ kafka: testbed.kafka, pool: testbed.pool, group: 'watermark', topic: testbed.topics.events, relay: 'default', projections: names, logger: testbed.logger });
    try {
      const held = await keeper.advance();
      // A partition that never applied a message has no bound; one that did is held at what it applied.
      expect(held === undefined || comparePositions(held, head!) <= 0).toBe(true);
      expect(await checkpointPositions(testbed)).toEqual(names.map(() => formatPosition(head!)));
      expect((await readRelayCheckpoint(testbed.pool, 'default')).position).toEqual(newHead);
    } finally {
      await keeper.stop();
    }

    await mode.startMember();
    await mode.settle();
    await mode.checkpointsReach(newHead);
    const views = await testbed.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM iwf_read.workflows WHERE tenant = 'many' AND revision = 3");
    expect(views.rows[0]?.n).toBe(30);
  });

  it.skipIf(!backend.available)('not at all while Kafka cannot be reached: each round fails, is logged, and the checkpoints wait', async () => {
    const { testbed } = await session.open('kafka_watermark_down', backend, 'watermark-down');
    await appendInterleaved(testbed.store, { workflows: 3, eventsPerWorkflow: 3 });
    await waitFor(async () => (await readRelayCheckpoint(testbed.pool, 'default')).position !== undefined, 30_000, () => 'nothing relayed');
    const logger = quietLogger();
    // Port 1: nothing listens there, and nothing unprivileged can start to.
    const nowhere = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'nowhere', connectionTimeoutMs: 200, requestTimeoutMs: 500 }, logger);
    const keeper = new WatermarkKeeper({ kafka: nowhere, pool: testbed.pool, group: 'watermark-down', topic: testbed.topics.events, relay: 'default', projections: names, logger, intervalMs: 50 });
    await expect(keeper.advance()).rejects.toThrow();
    keeper.start();
    await waitFor(() => logger.lines.some((line) => line.startsWith('kafka watermark round failed; checkpoints wait')), 30_000, () => logger.lines.join('\n'));
    const stopping = Date.now();
    await keeper.stop();
    expect(Date.now() - stopping).toBeLessThan(15_000);
    expect(keeper.watermark).toBeUndefined();
    expect(await readGroupWatermark(testbed.pool, 'watermark-down', testbed.topics.events)).toBeUndefined();
    for (const name of names) expect((await readCheckpoint(testbed.pool, name))?.position).toBeUndefined();
  });
});
