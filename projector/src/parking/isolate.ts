import type pg from 'pg';
import type { RecordedEvent } from '@iwf/contracts';
import { isTransientError } from '../runner/errors.js';
import type { CacheUpdate, Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';

export interface ParkedEvent {
  readonly event: RecordedEvent;
  readonly reason: 'failed' | 'held';
  readonly error: string;
}

export interface IsolatedOutcome {
  readonly updates: CacheUpdate[];
  readonly parked: ParkedEvent[];
}

/** Streams with a parked event, and the revision of their first parked event. */
export type HeldStreams = Map<string, number>;

export type Upcast = (event: RecordedEvent) => RecordedEvent;

/** Events of held streams are parked without running the handler; the rest are left to apply. */
export function holdBack(events: readonly RecordedEvent[], held: ReadonlyMap<string, number>): { apply: RecordedEvent[]; parked: ParkedEvent[] } {
  if (held.size === 0) return { apply: [...events], parked: [] };
  const apply: RecordedEvent[] = [];
  const parked: ParkedEvent[] = [];
  for (const event of events) {
    const first = held.get(event.stream_id);
    if (first === undefined) apply.push(event);
    else parked.push(heldEvent(event, first));
  }
  return { apply, parked };
}

/**
 * Applies events one at a time, each under a savepoint, so one bad event costs only itself:
 * it is parked, and so is every later event of its stream (handlers skip revisions at or
 * below what a row has seen, so a later event landing first would make the parked one
 * unreplayable). Transient failures are rethrown: the whole batch is retried.
 */
export async function applyIsolated(
  tx: pg.PoolClient,
  projection: Projection,
  events: readonly RecordedEvent[],
  held: HeldStreams,
  upcast: Upcast,
): Promise<IsolatedOutcome> {
  const updates: CacheUpdate[] = [];
  const parked: ParkedEvent[] = [];
  for (const event of events) {
    const first = held.get(event.stream_id);
    if (first !== undefined) {
      parked.push(heldEvent(event, first));
      continue;
    }
    await tx.query('SAVEPOINT iwf_event');
    try {
      updates.push(...(await projection.apply(tx, [upcastNamed(projection, event, upcast)])));
      await tx.query('RELEASE SAVEPOINT iwf_event');
    } catch (error) {
      if (isTransientError(error)) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT iwf_event');
      held.set(event.stream_id, event.stream_revision);
      parked.push({ event, reason: 'failed', error: messageOf(error) });
    }
  }
  return { updates, parked };
}

/** Upcasts, naming the event on failure so it can be parked or reported. */
export function upcastNamed(projection: Projection, event: RecordedEvent, upcast: Upcast): RecordedEvent {
  try {
    return upcast(event);
  } catch (error) {
    throw new EventHandlingError(projection.name, event, error);
  }
}

function heldEvent(event: RecordedEvent, firstRevision: number): ParkedEvent {
  return { event, reason: 'held', error: `held behind the parked event at revision ${firstRevision} of its stream` };
}

function messageOf(error: unknown): string {
  const cause = error instanceof EventHandlingError ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
