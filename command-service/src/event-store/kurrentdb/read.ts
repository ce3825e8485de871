import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { BACKWARDS, END, FORWARDS, START, StreamNotFoundError } from '@kurrent/kurrentdb-client';
import type { LogPosition, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { allFilter, matchesPrefixes, toLogPosition, toReadPosition, toRecordedEvent } from './mapping.js';

/** A stream's events; a missing stream reads as empty. `to_revision` bounds a forwards read. */
export async function readStreamEvents(client: KurrentDBClient, stream_id: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  const backwards = options.direction === 'backwards';
  let maxCount = options.max_count ?? Number.MAX_SAFE_INTEGER;
  if (!backwards && options.to_revision !== undefined) maxCount = Math.min(maxCount, options.to_revision - (options.from_revision ?? 0) + 1);
  if (maxCount <= 0) return [];
  const events: RecordedEvent[] = [];
  try {
    const read = client.readStream(stream_id, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.from_revision !== undefined ? BigInt(options.from_revision) : backwards ? END : START,
      maxCount: BigInt(maxCount),
    });
    for await (const resolved of read) {
      const event = toRecordedEvent(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}

/**
 * `$all` after a position (exclusive), filtered on the server. KurrentDB starts a read at the
 * given position inclusively, so one more is asked for and the event at `after` dropped.
 */
export async function readAllEvents(client: KurrentDBClient, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  const limit = options.max_count ?? Number.MAX_SAFE_INTEGER;
  if (limit <= 0) return [];
  const after = options.after;
  const events: RecordedEvent[] = [];
  const read = client.readAll({
    direction: FORWARDS,
    fromPosition: toReadPosition(after),
    maxCount: BigInt(Math.min(limit + 1, Number.MAX_SAFE_INTEGER)),
    filter: allFilter(options.type_prefixes),
  });
  for await (const resolved of read) {
    const event = toRecordedEvent(resolved);
    if (!event || !matchesPrefixes(event.type, options.type_prefixes)) continue;
    if (after && comparePositions(event.position, after) <= 0) continue;
    events.push(event);
    if (events.length >= limit) break;
  }
  return events;
}

/** The newest event a reader of `$all` can get (KurrentDB's own events left out). */
export async function headOfAll(client: KurrentDBClient): Promise<LogPosition | undefined> {
  for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: allFilter(undefined) })) {
    if (resolved.event?.position) return toLogPosition(resolved.event.position);
  }
  return undefined;
}
