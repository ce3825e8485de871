import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { LogPosition } from '@iwf/contracts';
import { formatPosition } from '@iwf/contracts';
import type { KafkaSource } from '../kafka/verify-scope.js';
import { kafkaScope } from '../kafka/verify-scope.js';
import type { ParkedEvent } from '../parking/isolate.js';
import { listParked } from '../parking/store.js';
import type { BuilderOptions } from '../rebuild/builder.js';
import { ModelBuilder } from '../rebuild/builder.js';
import { tablesOf } from '../rebuild/rebuild.js';
import { schemaName } from '../rebuild/retarget.js';
import { dropSchema, prepareCopies } from '../rebuild/shadow.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import type { Difference } from './diff.js';
import { diffTable } from './diff.js';

export interface VerifyOptions extends Omit<BuilderOptions, 'schema'> {
  /** Differences listed per table (all are counted). */
  readonly limit?: number;
  /** The consumer group feeding the model when PROJECTOR_SOURCE=kafka. */
  readonly kafka?: KafkaSource | undefined;
}

export interface VerifyReport {
  readonly projection: string;
  /** The position both sides were compared at; undefined when the model has applied nothing. */
  readonly position: LogPosition | undefined;
  readonly events: number;
  /** Kafka mode: replayed events above the checkpoint that the group's partitions have applied. */
  readonly beyond?: number;
  /** Rows (and checkpoint or parking facts) that differ. */
  readonly drift: number;
  readonly differences: Difference[];
  readonly seconds: number;
}

/**
 * Replays the log into a scratch copy of the model and compares it with the live one at
 * the same position: the scratch copy first catches up to the live checkpoint, then, in one
 * repeatable-read transaction, to wherever the live checkpoint is in that snapshot, and both
 * are compared inside it. The live runner keeps running meanwhile. A Kafka-fed model holds
 * more than its checkpoint: in that snapshot the replay also takes, partition by partition,
 * what the consumer group has applied beyond it (kafka/verify-scope.ts).
 */
export async function verifyProjection(options: VerifyOptions): Promise<VerifyReport> {
  const { pool, projection } = options;
  const tables = tablesOf(projection);
  const limit = options.limit ?? 100;
  const scratch = schemaName('iwf_verify', projection.name, `_${randomBytes(3).toString('hex')}`);
  const started = process.hrtime.bigint();
  // A scratch copy is thrown away after the comparison: no WAL for it.
  await prepareCopies(pool, tables, scratch, { unlogged: true });
  const client = await pool.connect();
  try {
    const builder = new ModelBuilder({ ...options, schema: scratch });
    const before = await readCheckpoint(pool, projection.name);
    if (before?.position) await builder.catchUp(before.position);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const live = await readCheckpoint(client, projection.name);
    await builder.catchUpIn(client, live?.position);
    let beyond: number | undefined;
    if (options.kafka) {
      const scope = await kafkaScope(client, options.kafka, live?.position);
      const atCheckpoint = builder.events;
      await builder.catchUpIn(client, scope.until, scope.include);
      beyond = builder.events - atCheckpoint;
    }
    const differences: Difference[] = [];
    let drift = 0;
    for (const table of tables) {
      const diff = await diffTable(client, table, scratch, limit);
      drift += diff.rows;
      differences.push(...diff.differences);
    }
    // A Kafka-fed checkpoint's counter is not kept per event (the group's offsets count those).
    const facts = await factDifferences(client, projection.name, projection.version, live, builder, !options.kafka);
    drift += facts.length;
    differences.push(...facts);
    await client.query('ROLLBACK');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { projection: projection.name, position: live?.position, events: builder.events, ...(beyond === undefined ? {} : { beyond }), drift, differences, seconds };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    await dropSchema(pool, scratch);
  }
}

type Checkpoint = Awaited<ReturnType<typeof readCheckpoint>>;

/** The checkpoint's version and counter, and the parked events, must match the replay's too. */
async function factDifferences(tx: pg.PoolClient, projection: string, version: number, live: Checkpoint, builder: ModelBuilder, counter: boolean): Promise<Difference[]> {
  const differences: Difference[] = [];
  const checkpoint = (field: string, liveValue: unknown, replayed: unknown): void => {
    if (!isDeepStrictEqual(liveValue, replayed)) differences.push({ table: 'projection_checkpoints', key: { projection }, field, live: liveValue, replayed });
  };
  checkpoint('version', live?.version ?? null, version);
  if (counter) checkpoint('events_applied', live?.events_applied ?? 0, builder.events);
  const waiting = await listParked(tx, { projection });
  const liveParked = new Map(waiting.map((row) => [formatPosition(row.position), `${row.reason}: ${row.stream_id}@${row.stream_revision}`]));
  const replayedParked = new Map(builder.parked.map((parked: ParkedEvent) => [formatPosition(parked.event.position), `${parked.reason}: ${parked.event.stream_id}@${parked.event.stream_revision}`]));
  for (const position of new Set([...liveParked.keys(), ...replayedParked.keys()])) {
    const [liveValue, replayed] = [liveParked.get(position) ?? null, replayedParked.get(position) ?? null];
    if (liveValue !== replayed) differences.push({ table: 'parked_events', key: { projection, position }, field: 'parked', live: liveValue, replayed });
  }
  return differences;
}
