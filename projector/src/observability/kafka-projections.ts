import type pg from 'pg';
import type { EventStore, LogPosition } from '@iwf/contracts';
import { formatPosition } from '@iwf/contracts';
import type { ProjectionStatusLike } from '@iwf/platform/observability/metrics/projector';
import { repeatInBackground } from '@iwf/platform/runtime/repeat';
import type { GroupProjectorStatus } from '../kafka/consumer/options.js';
import type { RunnerState } from '../runner/status.js';
import { storedPosition } from '../runner/checkpoints.js';
import { isBehind, lagSeconds } from '../runner/status.js';

/** One projection's checkpoint as the group's watermark keepers left it. */
export interface KafkaCheckpointSample {
  /** Undefined while the checkpoint is still at the start of the log. */
  readonly position: LogPosition | undefined;
  /** When the checkpoint last moved, on this process's clock. */
  readonly updated_at: Date;
  /** When the oldest event above the position was recorded; undefined when none was waiting at the head sampled. */
  readonly waiting_since: Date | undefined;
}

export interface KafkaProjectionSample {
  /** The store's head, read before the checkpoints (so a checkpoint is never behind a newer head than the one beside it). */
  readonly head: LogPosition | undefined;
  readonly checkpoints: ReadonlyMap<string, KafkaCheckpointSample>;
  /** Messages the group has applied to the read models: the partitions' stored counts, summed. */
  readonly group_applied: number;
}

export interface KafkaProjectionSampler {
  readonly name: string;
  latest(): KafkaProjectionSample | undefined;
  close(): Promise<void>;
}

export interface KafkaProjectionSamplerOptions {
  readonly pool: pg.Pool;
  readonly store: Pick<EventStore, 'headPosition' | 'readAll'>;
  readonly group: string;
  readonly topic: string;
  readonly projections: readonly string[];
  readonly intervalMs?: number;
  /**
   * Whether this member reports the group's positions now (it holds partition 0). The others
   * do not read the database at all, and keep no sample: one that becomes the reporter reports
   * from its first fresh sample, not an old one.
   */
  readonly reporting: () => boolean;
}

const CHECKPOINTS = `SELECT projection, commit_pos::text, prepare_pos::text, extract(epoch FROM now() - updated_at)::float8 AS age
  FROM iwf_read.projection_checkpoints WHERE projection = ANY($1::text[])`;
const GROUP_APPLIED = `SELECT coalesce(sum(events_applied), 0)::text AS n FROM iwf_kafka.consumer_offsets WHERE group_id = $1 AND topic = $2`;

/**
 * Samples what Kafka mode keeps about each projection, in the background (a scrape must not wait
 * on the database): the store's head, the checkpoints the group's watermark raises, the messages
 * the group has applied, and, for a checkpoint behind the head, when the oldest event above it
 * was recorded. A failed sample keeps the previous one.
 */
export function startKafkaProjectionSampler(options: KafkaProjectionSamplerOptions): KafkaProjectionSampler {
  const { pool, store } = options;
  let latest: KafkaProjectionSample | undefined;
  const sample = async (): Promise<void> => {
    if (!options.reporting()) {
      latest = undefined;
      return;
    }
    try {
      const head = await store.headPosition();
      const rows = await pool.query<{ projection: string; commit_pos: string; prepare_pos: string; age: number }>(CHECKPOINTS, [options.projections]);
      const sampledAt = Date.now();
      const applied = await pool.query<{ n: string }>(GROUP_APPLIED, [options.group, options.topic]);
      const waiting = new Map<string, Date | undefined>();
      const checkpoints = new Map<string, KafkaCheckpointSample>();
      for (const row of rows.rows) {
        const position = storedPosition(row.commit_pos, row.prepare_pos);
        // Checkpoints usually share one position: one read per distinct position behind the head.
        const key = position ? formatPosition(position) : '-';
        if (isBehind(position, head) && !waiting.has(key)) waiting.set(key, (await store.readAll({ after: position, max_count: 1 }))[0]?.recorded_at);
        checkpoints.set(row.projection, { position, updated_at: new Date(sampledAt - row.age * 1000), waiting_since: waiting.get(key) });
      }
      latest = { head, checkpoints, group_applied: Number(applied.rows[0]?.n ?? 0) };
    } catch {
      // The previous sample stands; iwf_dependency_up tells whether the database answers.
    }
  };
  return { ...repeatInBackground('kafka projection sampler', options.intervalMs ?? 2_000, sample), latest: () => latest };
}

/** The member holding partition 0 reports the group's positions (one member, whatever the group's size). */
export const holdsFirstPartition = (group: Pick<GroupProjectorStatus, 'assigned'>): boolean => group.assigned.includes(0);

export interface KafkaProjectionStatus extends ProjectionStatusLike {
  readonly state: RunnerState;
  readonly parked_events: number;
  readonly reports_position: boolean;
  readonly last_error: string | undefined;
}

/**
 * Each projection's status in Kafka mode, for the projector metrics. The state is this member's:
 * active while it holds partitions (it applies every projection's share of them), standby while
 * it holds none, retrying while a crashed consumer is replaced. The position-based series come
 * from one member of the group, the one holding partition 0, so `max by (projection)` and
 * `sum by (projection)` over instances read the group once:
 *
 * - position: the checkpoint the watermark raised (every event at or below it is in the model);
 * - head: the store's head; lag: how far the checkpoint is behind it, in log sequence numbers,
 *   and the age of the oldest event above the checkpoint (0 once the checkpoint reaches the head);
 * - checkpoint age: since the watermark last moved the checkpoint;
 * - events applied: messages the group committed with the read models (the partitions' stored
 *   counts; the checkpoint's own count is not kept in Kafka mode), the same for every projection.
 */
export function kafkaProjectionStatuses(
  projections: readonly string[],
  group: GroupProjectorStatus,
  sample: KafkaProjectionSample | undefined,
  parked: ReadonlyMap<string, number> | undefined,
  now: Date = new Date(),
): KafkaProjectionStatus[] {
  const state = memberState(group);
  const reporting = state === 'active' && holdsFirstPartition(group);
  return projections.map((projection) => {
    const checkpoint = sample?.checkpoints.get(projection);
    const head = sample?.head;
    const position = checkpoint?.position;
    const since = checkpoint?.waiting_since ?? checkpoint?.updated_at;
    return {
      projection,
      state,
      position,
      events_applied: sample?.group_applied ?? 0,
      head_position: head,
      lag_seconds: since ? lagSeconds(position, head, since, now) : 0,
      last_batch_at: checkpoint?.updated_at,
      cache_dirty: group.cache_dirty,
      parked_events: parked?.get(projection) ?? 0,
      reports_position: reporting && checkpoint !== undefined,
      last_error: group.last_error,
    };
  });
}

function memberState(group: GroupProjectorStatus): RunnerState {
  switch (group.phase) {
    case 'starting':
      return 'starting';
    case 'restarting':
      return 'retrying';
    case 'awaiting_rebuild':
      return 'awaiting_rebuild';
    case 'stopped':
      return 'stopped';
    case 'consuming':
      return group.assigned.length > 0 ? 'active' : 'standby';
  }
}
