import { randomUUID } from 'node:crypto';
import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { BACKWARDS, END, FORWARDS, StreamNotFoundError } from '@kurrent/kurrentdb-client';
import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent } from '@iwf/contracts';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '@iwf/contracts';
import { claimEventId, releaseEventIds } from './claims.js';
import { toEventData, toRecordedEvent, toStreamState, translateAppendError } from './mapping.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// How far back a repeated append is looked for in its stream.
const REPEAT_SCAN = 4_096;

/** Refuses what the port refuses before anything is written. */
export function validateAppend(events: readonly NewEvent[], expected: ExpectedRevision): void {
  if (events.length === 0) throw new RangeError('an append needs at least one event');
  toStreamState(expected);
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.event_id)) throw new RangeError(`event id ${event.event_id} is not a UUID`);
    if (seen.has(event.event_id)) throw new DuplicateEventIdError(event.event_id);
    seen.add(event.event_id);
  }
}

/**
 * Appends with the port's semantics: ids are claimed store-wide first (claims.ts); an append
 * whose ids are all in the stream already is answered with the original result and writes
 * nothing, whatever revision it expected; KurrentDB's own idempotency stops a racing copy.
 */
export async function appendEvents(client: KurrentDBClient, stream_id: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
  validateAppend(events, expected);
  const attempt = randomUUID();
  const claims = await Promise.all(events.map((event) => claimEventId(client, stream_id, event, attempt)));
  const won = events.filter((_, index) => claims[index] === 'won').map((event) => event.event_id);
  // Whoever holds the first id owns the batch: among racers with one batch, it alone reports
  // `appended: true`, even when a racer's copy did the writing (KurrentDB kept one copy).
  const owner = claims[0] === 'won';
  try {
    if (won.length < events.length) {
      const earlier = await findEarlierAppend(client, stream_id, events);
      if (earlier) return { ...earlier, appended: owner };
    }
    return await write(client, stream_id, events, expected, owner);
  } catch (error) {
    await releaseEventIds(client, won, attempt).catch(() => undefined);
    throw error;
  }
}

async function write(client: KurrentDBClient, stream_id: string, events: readonly NewEvent[], expected: ExpectedRevision, owner: boolean): Promise<AppendResult> {
  try {
    const result = await client.appendToStream(stream_id, events.map(toEventData), { streamState: toStreamState(expected) });
    const last = await readAt(client, stream_id, result.nextExpectedRevision);
    // When a racer wrote the copy first, KurrentDB made this write a no-op.
    return { next_revision: Number(result.nextExpectedRevision), position: last.position, appended: owner };
  } catch (error) {
    const translated = translateAppendError(error, stream_id, expected);
    if (translated instanceof WrongExpectedRevisionError) {
      // The conflict may be with our own earlier copy (a retry whose answer was lost).
      const earlier = await findEarlierAppend(client, stream_id, events);
      if (earlier) return { ...earlier, appended: owner };
    }
    throw translated;
  }
}

/** The original result when every event is in the stream already; a duplicate when only some are. */
async function findEarlierAppend(client: KurrentDBClient, stream_id: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
  const wanted = new Map(events.map((event, index) => [event.event_id, index]));
  const found: RecordedEvent[] = [];
  for (const event of await readRecent(client, stream_id)) if (wanted.has(event.event_id)) found.push(event);
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.stream_revision - b.stream_revision);
  const whole =
    found.length === events.length &&
    found.every((event, index) => event.event_id === events[index]?.event_id && event.type === events[index]?.type && event.stream_revision === found[0]!.stream_revision + index);
  if (!whole) throw new DuplicateEventIdError(found[0]!.event_id);
  const last = found.at(-1)!;
  return { next_revision: last.stream_revision, position: last.position, appended: false };
}

async function readRecent(client: KurrentDBClient, stream_id: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    for await (const resolved of client.readStream(stream_id, { direction: BACKWARDS, fromRevision: END, maxCount: REPEAT_SCAN })) {
      const event = toRecordedEvent(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}

/** The event at a revision: positions come from the event itself, as readers will see them. */
async function readAt(client: KurrentDBClient, stream_id: string, revision: bigint): Promise<RecordedEvent> {
  for await (const resolved of client.readStream(stream_id, { direction: FORWARDS, fromRevision: revision, maxCount: 1 })) {
    const event = toRecordedEvent(resolved);
    if (event) return event;
  }
  throw new Error(`${stream_id}@${revision} was appended but cannot be read back`);
}
