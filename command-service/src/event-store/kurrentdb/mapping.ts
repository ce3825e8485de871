import type { AllStreamResolvedEvent, AppendStreamState, CurrentStreamState, EventData, Filter, Position, ReadPosition, ResolvedEvent } from '@kurrent/kurrentdb-client';
import { ANY, NO_STREAM, START, STREAM_EXISTS, WrongExpectedVersionError, eventTypeFilter, jsonEvent } from '@kurrent/kurrentdb-client';
import type { EventMetadata, ExpectedRevision, LogPosition, NewEvent, RecordedEvent } from '@iwf/contracts';
import { WrongExpectedRevisionError } from '@iwf/contracts';
import { CLAIM_TYPE_PREFIX } from './claims.js';

/**
 * Translation between the port's shapes and KurrentDB's. Pure, so it is unit-tested without a
 * server. Positions carry straight over: KurrentDB's `$all` position is (commit, prepare), the
 * shape `LogPosition` was made for.
 */

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected revision must be a non-negative integer, got ${expected}`);
      return BigInt(expected);
  }
}

/** The stream's actual state as the port reports it in a conflict. */
export function toActualRevision(current: CurrentStreamState): number | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

/** A wrong expected version becomes the port's conflict; anything else is left as it is. */
export function translateAppendError(error: unknown, stream_id: string, expected: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError) return new WrongExpectedRevisionError(stream_id, expected, toActualRevision(error.actualState));
  return error;
}

// KurrentDB's own metadata names, so its by-correlation system projections work on our events.
const CORRELATION = '$correlationId';
const CAUSATION = '$causationId';
const SCHEMA_VERSION = 'iwf_schema_version';

/** Our metadata as stored: correlation and causation under KurrentDB's names, plus the schema version. */
export function encodeMetadata(metadata: EventMetadata, schemaVersion: number): Record<string, unknown> {
  const { correlation_id, causation_id, ...rest } = metadata;
  return { ...rest, [CORRELATION]: correlation_id, ...(causation_id === undefined ? {} : { [CAUSATION]: causation_id }), [SCHEMA_VERSION]: schemaVersion };
}

export function decodeMetadata(stored: unknown): { metadata: EventMetadata; schemaVersion: number } {
  const record = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  const { [CORRELATION]: correlation, [CAUSATION]: causation, [SCHEMA_VERSION]: version, ...rest } = record;
  const metadata = { ...rest, correlation_id: text(correlation), ...(causation === undefined ? {} : { causation_id: text(causation) }) } as EventMetadata;
  return { metadata, schemaVersion: typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : 1 };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.event_id,
    type: event.type,
    // Any JSON value is stored as written; the client's type admits only objects, arrays and strings.
    data: event.data as Record<string, unknown>,
    metadata: encodeMetadata(event.metadata, event.schema_version ?? 1),
  });
}

/** A recorded KurrentDB event as the port's; undefined for a link without its event or a non-JSON event. */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event?.isJson) return undefined;
  if (!event.position) throw new Error(`KurrentDB returned ${event.streamId}@${event.revision} without its position`);
  const { metadata, schemaVersion } = decodeMetadata(event.metadata);
  return {
    event_id: event.id,
    stream_id: event.streamId,
    stream_revision: Number(event.revision),
    position: toLogPosition(event.position),
    type: event.type,
    schema_version: schemaVersion,
    data: event.data,
    metadata,
    recorded_at: event.created,
  };
}

export const toLogPosition = (position: Position): LogPosition => ({ commit: position.commit, prepare: position.prepare });

export const toReadPosition = (after: LogPosition | undefined): ReadPosition => (after ? { commit: after.commit, prepare: after.prepare } : START);

/**
 * The server-side filter of `$all` reads: our type prefixes, taken literally, or else every
 * event but KurrentDB's own (types starting with `$`) and our event-id claims.
 */
export function allFilter(typePrefixes: readonly string[] | undefined): Filter {
  if (typePrefixes && typePrefixes.length > 0) return eventTypeFilter({ prefixes: [...typePrefixes] });
  return eventTypeFilter({ regex: `^(?!\\$|${CLAIM_TYPE_PREFIX.replaceAll('.', '\\.')})` });
}

/** The filter leaves prefixes to the server; this repeats the check for events read unfiltered. */
export function matchesPrefixes(type: string, typePrefixes: readonly string[] | undefined): boolean {
  if (type.startsWith(CLAIM_TYPE_PREFIX)) return false;
  if (!typePrefixes || typePrefixes.length === 0) return !type.startsWith('$');
  return typePrefixes.some((prefix) => type.startsWith(prefix));
}
