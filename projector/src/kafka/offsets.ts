import type pg from 'pg';
import type { LogPosition } from '@iwf/contracts';
import { storedPosition } from '../runner/checkpoints.js';

type Db = Pick<pg.ClientBase, 'query'>;

/** The relay's position in the log, or undefined before its first acknowledged batch. */
export async function readRelayCheckpoint(db: Db, relay: string): Promise<{ position: LogPosition | undefined; relayed: number }> {
  const result = await db.query<{ commit_pos: string; prepare_pos: string; events_relayed: string }>(
    'SELECT commit_pos::text, prepare_pos::text, events_relayed::text FROM iwf_kafka.relay_checkpoints WHERE relay = $1',
    [relay],
  );
  const row = result.rows[0];
  if (!row) return { position: undefined, relayed: 0 };
  return { position: { commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) }, relayed: Number(row.events_relayed) };
}

/** Moves the relay checkpoint forward only: a stale writer can never move it back. */
export async function saveRelayCheckpoint(db: Db, relay: string, position: LogPosition, relayed: number): Promise<void> {
  await db.query(
    `INSERT INTO iwf_kafka.relay_checkpoints AS c (relay, commit_pos, prepare_pos, events_relayed) VALUES ($1, $2, $3, $4)
     ON CONFLICT (relay) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos,
       events_relayed = c.events_relayed + excluded.events_relayed, updated_at = now()
     WHERE (c.commit_pos, c.prepare_pos) < (excluded.commit_pos, excluded.prepare_pos)`,
    [relay, position.commit.toString(), position.prepare.toString(), relayed],
  );
}

/**
 * Locks a partition's offset row for the rest of the transaction and returns the next offset
 * to apply (undefined when the group never applied anything there). Two members that both
 * believe they own the partition during a rebalance serialise here; the second sees the first's
 * offset and skips what it applied.
 */
export async function lockPartitionOffset(tx: Db, group: string, topic: string, partition: number): Promise<bigint | undefined> {
  await tx.query(
    `INSERT INTO iwf_kafka.consumer_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, -1)
     ON CONFLICT DO NOTHING`,
    [group, topic, partition],
  );
  const result = await tx.query<{ next_offset: string }>(
    'SELECT next_offset::text FROM iwf_kafka.consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
    [group, topic, partition],
  );
  const next = BigInt(result.rows[0]?.next_offset ?? '-1');
  return next < 0n ? undefined : next;
}

/**
 * Moves a partition's offset to `next` and raises its applied position to `position` (the
 * highest log position among the messages just applied; a resent message may sit lower).
 */
export async function advancePartitionOffset(tx: Db, group: string, topic: string, partition: number, next: bigint, applied: number, position: LogPosition): Promise<void> {
  await tx.query(
    `UPDATE iwf_kafka.consumer_offsets SET next_offset = $4, events_applied = events_applied + $5, updated_at = now(),
       applied_commit = CASE WHEN applied_commit IS NULL OR (applied_commit, applied_prepare) < ($6::bigint, $7::bigint) THEN $6::bigint ELSE applied_commit END,
       applied_prepare = CASE WHEN applied_commit IS NULL OR (applied_commit, applied_prepare) < ($6::bigint, $7::bigint) THEN $7::bigint ELSE applied_prepare END
     WHERE group_id = $1 AND topic = $2 AND partition = $3`,
    [group, topic, partition, next.toString(), applied, position.commit.toString(), position.prepare.toString()],
  );
}

/** How far a group got in one partition: the next offset to apply and the highest position applied below it. */
export interface PartitionProgress {
  readonly next: bigint;
  readonly applied: LogPosition | undefined;
}

/** Every partition of a topic the group has applied messages of. */
export async function readPartitionProgress(db: Db, group: string, topic: string): Promise<Map<number, PartitionProgress>> {
  const result = await db.query<{ partition: number; next_offset: string; applied_commit: string | null; applied_prepare: string | null }>(
    `SELECT partition, next_offset::text, applied_commit::text, applied_prepare::text FROM iwf_kafka.consumer_offsets
     WHERE group_id = $1 AND topic = $2 AND next_offset >= 0`,
    [group, topic],
  );
  return new Map(
    result.rows.map((row) => [
      row.partition,
      {
        next: BigInt(row.next_offset),
        applied: row.applied_commit === null || row.applied_prepare === null ? undefined : { commit: BigInt(row.applied_commit), prepare: BigInt(row.applied_prepare) },
      },
    ]),
  );
}

/** The group's watermark over a topic (undefined while there is none), and the partition count it was computed over. */
export interface GroupWatermark {
  readonly partitions: number;
  readonly position: LogPosition | undefined;
}

/** Records a watermark; the stored position only moves forward. */
export async function saveGroupWatermark(db: Db, group: string, topic: string, watermark: GroupWatermark): Promise<void> {
  await db.query(
    `INSERT INTO iwf_kafka.group_watermarks AS w (group_id, topic, partitions, commit_pos, prepare_pos) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (group_id, topic) DO UPDATE SET partitions = excluded.partitions, updated_at = now(),
       commit_pos = CASE WHEN (w.commit_pos, w.prepare_pos) < (excluded.commit_pos, excluded.prepare_pos) THEN excluded.commit_pos ELSE w.commit_pos END,
       prepare_pos = CASE WHEN (w.commit_pos, w.prepare_pos) < (excluded.commit_pos, excluded.prepare_pos) THEN excluded.prepare_pos ELSE w.prepare_pos END`,
    [group, topic, watermark.partitions, (watermark.position?.commit ?? 0n).toString(), (watermark.position?.prepare ?? 0n).toString()],
  );
}

export async function readGroupWatermark(db: Db, group: string, topic: string): Promise<GroupWatermark | undefined> {
  const result = await db.query<{ partitions: number; commit_pos: string; prepare_pos: string }>(
    'SELECT partitions, commit_pos::text, prepare_pos::text FROM iwf_kafka.group_watermarks WHERE group_id = $1 AND topic = $2',
    [group, topic],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return { partitions: row.partitions, position: storedPosition(row.commit_pos, row.prepare_pos) };
}

/** The stored next offsets of a group's partitions of a topic (for seeking on assignment). */
export async function readGroupOffsets(db: Db, group: string, topic: string): Promise<Map<number, bigint>> {
  const result = await db.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset::text FROM iwf_kafka.consumer_offsets WHERE group_id = $1 AND topic = $2 AND next_offset >= 0',
    [group, topic],
  );
  return new Map(result.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
}
