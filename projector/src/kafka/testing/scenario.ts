import { comparePositions } from '@iwf/contracts';
import type { KafkaTestbed } from './fixture.js';
import { sleep, waitFor } from './fixture.js';
import type { MemberProcess } from './member-process.js';
import { spawnMember } from './member-process.js';
import type { ProbeSummary } from './probe.js';
import { probeSummary } from './probe.js';
import { highWatermarks } from './topic-reader.js';
import { appendInterleaved } from './workload.js';
import { KafkaRelay } from '../relay/relay.js';
import { projections } from '../../read-models.js';
import type { VerifyReport } from '../../verify/verify.js';
import { verifyProjection } from '../../verify/verify.js';

export interface ScenarioOptions {
  readonly group: string;
  readonly workflows: number;
  readonly eventsPerWorkflow: number;
  readonly members: number;
  /** Runs once this many events are applied by the group, while appends and relaying go on. */
  readonly disrupt: { readonly afterApplied: number; readonly run: (members: readonly MemberProcess[]) => Promise<void> };
}

export interface PartitionTally {
  readonly partition: number;
  readonly high: bigint;
  readonly next_offset: bigint;
  readonly events_applied: number;
}

export interface ScenarioResult {
  readonly events: number;
  readonly seconds: number;
  readonly partitions: PartitionTally[];
  readonly probe: ProbeSummary;
  /** `iwf verify` of each model in Kafka mode, once every partition is consumed. */
  readonly replays: VerifyReport[];
  readonly members: readonly MemberProcess[];
}

async function groupTally(bed: KafkaTestbed, group: string): Promise<PartitionTally[]> {
  const heads = await highWatermarks(bed.kafka, bed.topics.events);
  const rows = await bed.pool.query<{ partition: number; next_offset: string; events_applied: string }>(
    'SELECT partition, next_offset::text, events_applied::text FROM iwf_kafka.consumer_offsets WHERE group_id = $1 AND topic = $2',
    [group, bed.topics.events],
  );
  const stored = new Map(rows.rows.map((row) => [row.partition, row]));
  return [...heads].map(([partition, high]) => ({
    partition,
    high,
    next_offset: BigInt(stored.get(partition)?.next_offset ?? '-1'),
    events_applied: Number(stored.get(partition)?.events_applied ?? 0),
  }));
}

async function appliedByGroup(bed: KafkaTestbed, group: string): Promise<number> {
  const result = await bed.pool.query<{ applied: string }>('SELECT coalesce(sum(events_applied), 0)::text AS applied FROM iwf_kafka.consumer_offsets WHERE group_id = $1', [group]);
  return Number(result.rows[0]?.applied ?? 0);
}

/**
 * Appends interleaved workflow streams while a relay publishes them and a group of member
 * processes projects them, disrupts the run part-way, waits until every partition is consumed
 * to its head, and gathers what the assertions need.
 */
export async function runScenario(bed: KafkaTestbed, options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const members = Array.from({ length: options.members }, () =>
    spawnMember({ databaseUrl: bed.db.url, brokers: bed.cluster.brokers, topic: bed.topics.events, group: options.group }),
  );
  const relay = new KafkaRelay({ store: bed.store, pool: bed.pool, kafka: bed.kafka, topics: bed.topics, idempotent: bed.idempotent, logger: bed.logger, retry: { initialMs: 50, maxMs: 1_000 } });
  try {
    await Promise.all(members.map((member) => member.started));
    const total = options.workflows * options.eventsPerWorkflow;
    const appending = appendInterleaved(bed.store, { workflows: options.workflows, eventsPerWorkflow: options.eventsPerWorkflow, perAppend: 5, writers: 8 });
    await waitFor(async () => (await appliedByGroup(bed, options.group)) >= options.disrupt.afterApplied, 120_000, () => 'the group applied too little');
    await options.disrupt.run(members);
    const last = await appending;
    const head = await bed.store.headPosition();
    // The head may lag the newest event while another transaction on the server holds the horizon back.
    await waitFor(() => !head || (relay.status().position !== undefined && comparePositions(relay.status().position!, head) >= 0), 120_000, () => `relay at ${relay.status().events_relayed}`);
    await waitFor(
      async () => (await groupTally(bed, options.group)).every((tally) => tally.next_offset === tally.high),
      120_000,
      () => `partitions not consumed; stderr of members: ${members.map((member) => member.stderr().slice(-1_000)).join('\n---\n')}`,
    );
    const seconds = (Date.now() - started) / 1000;
    // Give a member that is wrongly still applying a moment to show itself.
    await sleep(500);
    const partitions = await groupTally(bed, options.group);
    const probe = await probeSummary(bed.pool, last);
    const replays: VerifyReport[] = [];
    const kafka = { group: options.group, topic: bed.topics.events };
    for (const projection of projections) if (projection.tables?.length) replays.push(await verifyProjection({ pool: bed.pool, store: bed.store, projection, kafka }));
    return { events: total, seconds, partitions, probe, replays, members };
  } finally {
    await relay.stop();
    for (const member of members) if (member.child.exitCode === null && member.child.signalCode === null) member.child.kill('SIGTERM');
    await Promise.all(members.map((member) => Promise.race([member.exited, sleep(10_000)])));
  }
}
