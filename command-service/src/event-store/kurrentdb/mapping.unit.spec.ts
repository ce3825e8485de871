import { ANY, NO_STREAM, STREAM_EXISTS, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import type { AllStreamResolvedEvent } from '@kurrent/kurrentdb-client';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { validateAppend } from './append.js';
import { claimStream } from './claims.js';
import { allFilter, decodeMetadata, encodeMetadata, matchesPrefixes, toActualRevision, toEventData, toReadPosition, toRecordedEvent, toStreamState, translateAppendError } from './mapping.js';

const ID = '3f1c2a4e-8b7d-4c6a-9e5f-0a1b2c3d4e5f';
const metadata = { tenant: 't1', actor: 'user:ada', correlation_id: 'corr-1', causation_id: 'cause-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', request_id: 'r-1' };

describe('expected revision → KurrentDB stream state', () => {
  it.each([
    ['any', ANY],
    ['no_stream', NO_STREAM],
    ['exists', STREAM_EXISTS],
    [0, 0n],
    [41, 41n],
  ] as const)('%s → %s', (expected, state) => {
    expect(toStreamState(expected)).toBe(state);
  });

  it('refuses negative and fractional revisions', () => {
    expect(() => toStreamState(-1)).toThrow(RangeError);
    expect(() => toStreamState(1.5)).toThrow(RangeError);
  });
});

describe('driver errors', () => {
  it('a wrong expected version becomes WrongExpectedRevisionError with the actual revision', () => {
    const driver = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: 3n, current: 7n });
    const error = translateAppendError(driver, 's-1', 3);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ code: 'wrong_expected_revision', stream_id: 's-1', expected: 3, actual: 7 });
  });

  it('a missing stream is reported as no_stream', () => {
    const driver = new WrongExpectedVersionError(undefined, { streamName: 's-2', expected: STREAM_EXISTS, current: NO_STREAM });
    expect(translateAppendError(driver, 's-2', 'exists')).toMatchObject({ expected: 'exists', actual: 'no_stream' });
    expect(toActualRevision(NO_STREAM)).toBe('no_stream');
    expect(toActualRevision(0n)).toBe(0);
  });

  it('other failures pass through unchanged, so outages are not mistaken for conflicts', () => {
    const outage = new Error('14 UNAVAILABLE: No connection established');
    expect(translateAppendError(outage, 's', 'any')).toBe(outage);
  });
});

describe('events and metadata', () => {
  it('stores correlation and causation under KurrentDB names and the schema version beside them', () => {
    expect(encodeMetadata(metadata, 3)).toEqual({
      tenant: 't1',
      actor: 'user:ada',
      traceparent: metadata.traceparent,
      request_id: 'r-1',
      $correlationId: 'corr-1',
      $causationId: 'cause-1',
      iwf_schema_version: 3,
    });
    expect(decodeMetadata(encodeMetadata(metadata, 3))).toEqual({ metadata, schemaVersion: 3 });
    const { causation_id: _, ...withoutCausation } = metadata;
    expect(decodeMetadata(encodeMetadata(withoutCausation, 1))).toEqual({ metadata: withoutCausation, schemaVersion: 1 });
  });

  it('reads metadata written by others with schema version 1', () => {
    expect(decodeMetadata({ $correlationId: 'c' })).toEqual({ metadata: { correlation_id: 'c' }, schemaVersion: 1 });
    expect(decodeMetadata(null).schemaVersion).toBe(1);
  });

  it('builds JSON event data with the caller event id', () => {
    const data = toEventData({ event_id: ID, type: 'order.created', schema_version: 2, data: { n: 1 }, metadata });
    expect(data).toMatchObject({ id: ID, type: 'order.created', contentType: 'application/json', data: { n: 1 } });
    expect(data.metadata).toMatchObject({ $correlationId: 'corr-1', iwf_schema_version: 2 });
  });

  it('turns a recorded event back into the port shape with its (commit, prepare) position', () => {
    const created = new Date('2024-05-01T10:00:00.000Z');
    const resolved = {
      event: {
        streamId: 'workflow:t1:w1',
        id: ID,
        isJson: true,
        revision: 4n,
        type: 'WorkflowEnabled',
        created,
        data: { workflow_id: 'w1' },
        metadata: encodeMetadata(metadata, 2),
        position: { commit: 9_007_199_254_740_993n, prepare: 9_007_199_254_740_990n },
      },
    } as unknown as AllStreamResolvedEvent;
    expect(toRecordedEvent(resolved)).toEqual({
      event_id: ID,
      stream_id: 'workflow:t1:w1',
      stream_revision: 4,
      position: { commit: 9_007_199_254_740_993n, prepare: 9_007_199_254_740_990n },
      type: 'WorkflowEnabled',
      schema_version: 2,
      data: { workflow_id: 'w1' },
      metadata,
      recorded_at: created,
    });
    expect(toRecordedEvent({})).toBeUndefined();
    expect(toRecordedEvent({ event: { ...resolved.event, isJson: false } } as unknown as AllStreamResolvedEvent)).toBeUndefined();
  });

  it('starts from the beginning without a position and from the position otherwise', () => {
    expect(toReadPosition(undefined)).toBe('start');
    expect(toReadPosition({ commit: 5n, prepare: 4n })).toEqual({ commit: 5n, prepare: 4n });
  });
});

describe('$all filters', () => {
  it('filters on literal type prefixes, or leaves out KurrentDB events and our id claims', () => {
    expect(allFilter(['order.', 'a_b'])).toMatchObject({ filterOn: 'eventType', prefixes: ['order.', 'a_b'] });
    const everything = allFilter(undefined);
    expect(everything).toMatchObject({ filterOn: 'eventType' });
    // The regex runs on the server (.NET); JavaScript reads lookaheads the same way.
    const regex = new RegExp((everything as { regex: string }).regex);
    expect(['order.created', 'WorkflowCreated', 'iwf.other'].map((type) => regex.test(type))).toEqual([true, true, true]);
    expect(['$metadata', '$>', 'iwf.event-id.claimed', 'iwf.event-id.released'].map((type) => regex.test(type))).toEqual([false, false, false, false]);
    expect(matchesPrefixes('a_b.one', ['a_b.'])).toBe(true);
    expect(matchesPrefixes('aXb.one', ['a_b.'])).toBe(false);
    expect(matchesPrefixes('iwf.event-id.claimed', undefined)).toBe(false);
    expect(matchesPrefixes('iwf.event-id.claimed', ['iwf.'])).toBe(false);
    expect(matchesPrefixes('$statsCollected', undefined)).toBe(false);
    expect(matchesPrefixes('order.created', undefined)).toBe(true);
  });
});

describe('append validation', () => {
  const event = { event_id: ID, type: 't', data: {}, metadata };
  it('refuses empty appends, malformed ids, repeated ids and bad revisions before writing', () => {
    expect(() => validateAppend([], 'any')).toThrow(RangeError);
    expect(() => validateAppend([{ ...event, event_id: 'not-a-uuid' }], 'any')).toThrow(RangeError);
    expect(() => validateAppend([event, event], 'any')).toThrow(DuplicateEventIdError);
    expect(() => validateAppend([event], -5)).toThrow(RangeError);
    expect(() => validateAppend([event], 0)).not.toThrow();
  });

  it('claims each id in a stream of its own', () => {
    expect(claimStream(ID)).toBe(`iwf-event-id-${ID}`);
  });
});
