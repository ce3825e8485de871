import type pg from 'pg';
import type { LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import type { ParkedEvent, Upcast } from '../../parking/isolate.js';
import { applyIsolated, holdBack, upcastNamed } from '../../parking/isolate.js';
import { heldStreams, recordParked } from '../../parking/store.js';
import { onBatchConnection } from '../../runner/batch-connection.js';
import { isTransientError } from '../../runner/errors.js';
import type { CacheUpdate, Projection } from '../../runner/projection.js';
import { shareCheckpoints, staleModels } from '../checkpoints.js';
import type { StaleModel } from '../checkpoints.js';
import { advancePartitionOffset, lockPartitionOffset } from '../offsets.js';

/** Messages of one partition fetch, decoded, with their offsets. */
export interface PartitionBatch {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly { readonly offset: bigint; readonly event: RecordedEvent }[];
}

export type PartitionOutcome =
  /**
   * Applied (possibly nothing new); `next` is the offset to resume from. `covered` counts, per
   * projection, the fresh events its checkpoint already covered (left out, not applied twice).
   */
  | {
      readonly kind: 'applied';
      readonly next: bigint;
      readonly applied: number;
      readonly skipped: number;
      readonly covered: ReadonlyMap<string, number>;
      readonly updates: CacheUpdate[];
      readonly parked: ParkedEvent[];
    }
  /** The batch starts past the stored offset: the consumer must seek back to `next` first. */
  | { readonly kind: 'gap'; readonly next: bigint }
  /**
   * A model is stored at another version than this code's (a rebuild swapped in another one, or
   * this member runs other code than the one that built it): nothing was applied.
   */
  | { readonly kind: 'other_version'; readonly stale: readonly StaleModel[] };

export interface ApplyOptions {
  readonly upcast: Upcast;
  /** Park events a projection cannot apply (as the store-fed runner does); otherwise fail on them. */
  readonly park: boolean;
}

/**
 * Applies one partition's batch to every projection and advances the partition's offset, in
 * one transaction. The offset row is locked first: messages below the stored offset were
 * applied by whoever owned the partition before (a rebalance, a restart) and are skipped, so
 * a partition is neither skipped nor applied twice whatever Kafka's own committed offset says.
 * Then the projections' checkpoints are share-locked (see checkpoints.ts): a projection gets
 * only the events above its checkpoint, so what a rebuild swapped in, or the watermark
 * already counts, is not applied again; and a model stored at another version than this
 * code's gets nothing, nor do the others (the partition's offset is theirs too).
 */
export async function applyPartitionBatch(pool: pg.Pool, projections: readonly Projection[], batch: PartitionBatch, options: ApplyOptions): Promise<PartitionOutcome> {
  return onBatchConnection(pool, async (client) => {
    await client.query('BEGIN');
    const stored = await lockPartitionOffset(client, batch.group, batch.topic, batch.partition);
    const first = batch.messages[0]?.offset;
    if (stored !== undefined && first !== undefined && first > stored) {
      await client.query('ROLLBACK');
      return { kind: 'gap', next: stored };
    }
    const fresh = stored === undefined ? batch.messages : batch.messages.filter((message) => message.offset >= stored);
    const last = fresh.at(-1);
    if (!last) {
      await client.query('ROLLBACK');
      return { kind: 'applied', next: stored ?? 0n, applied: 0, skipped: batch.messages.length, covered: new Map(), updates: [], parked: [] };
    }
    const events = fresh.map((message) => message.event);
    const checkpoints = await shareCheckpoints(client, projections);
    const stale = staleModels(projections, (name) => checkpoints.get(name)?.version);
    if (stale.length > 0) {
      await client.query('ROLLBACK');
      return { kind: 'other_version', stale };
    }
    const updates: CacheUpdate[] = [];
    const parked: ParkedEvent[] = [];
    const covered = new Map<string, number>();
    for (const projection of projections) {
      const checkpoint = checkpoints.get(projection.name)?.position;
      const pending = checkpoint ? events.filter((event) => comparePositions(event.position, checkpoint) > 0) : events;
      if (pending.length < events.length) covered.set(projection.name, events.length - pending.length);
      if (pending.length === 0) continue;
      const outcome = await applyToProjection(client, projection, pending, options);
      updates.push(...outcome.updates);
      parked.push(...outcome.parked);
    }
    await advancePartitionOffset(client, batch.group, batch.topic, batch.partition, last.offset + 1n, fresh.length, highest(events));
    await client.query('COMMIT');
    return { kind: 'applied', next: last.offset + 1n, applied: fresh.length, skipped: batch.messages.length - fresh.length, covered, updates, parked };
  });
}

/** The highest log position of a partition's events (a resend can put a lower one after a higher one). */
function highest(events: readonly RecordedEvent[]): LogPosition {
  let top = events[0]!.position;
  for (const event of events) if (comparePositions(event.position, top) > 0) top = event.position;
  return top;
}

/** One projection's share, under a savepoint: a failing batch is retried event by event and the bad events parked. */
async function applyToProjection(
  tx: pg.PoolClient,
  projection: Projection,
  events: readonly RecordedEvent[],
  options: ApplyOptions,
): Promise<{ updates: CacheUpdate[]; parked: ParkedEvent[] }> {
  if (!options.park) return { updates: await projection.apply(tx, events.map((event) => upcastNamed(projection, event, options.upcast))), parked: [] };
  const held = await heldStreams(tx, projection.name);
  const { apply, parked } = holdBack(events, held);
  await tx.query('SAVEPOINT iwf_projection');
  try {
    const updates = apply.length === 0 ? [] : await projection.apply(tx, apply.map((event) => upcastNamed(projection, event, options.upcast)));
    await tx.query('RELEASE SAVEPOINT iwf_projection');
    if (parked.length > 0) await recordParked(tx, projection.name, parked);
    return { updates, parked };
  } catch (error) {
    if (isTransientError(error)) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT iwf_projection');
  }
  const isolated = await applyIsolated(tx, projection, apply, held, options.upcast);
  const all = [...parked, ...isolated.parked];
  if (all.length > 0) await recordParked(tx, projection.name, all);
  return { updates: isolated.updates, parked: all };
}
