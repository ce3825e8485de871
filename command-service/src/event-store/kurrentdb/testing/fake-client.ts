import { PassThrough } from 'node:stream';
import type { AllStreamResolvedEvent, AppendStreamState, EventData, Filter, KurrentDBClient, Position } from '@kurrent/kurrentdb-client';
import { ANY, BACKWARDS, END, NO_STREAM, START, STREAM_EXISTS, StreamNotFoundError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';

/**
 * An in-memory stand-in for the parts of `KurrentDBClient` the adapter uses, behaving as
 * KurrentDB documents: expected stream states, idempotent repeats of the same event ids at the
 * same place, inclusive `$all` reads and exclusive catch-up subscriptions, one commit position
 * per write with a prepare position per event. It lets the adapter's own logic (claims,
 * repeats, reads, batching) run the contract suite where no server can; the real server runs it
 * in CI.
 */
interface Stored {
  readonly streamId: string;
  readonly id: string;
  readonly isJson: true;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position: Position;
}

export function createFakeKurrentClient(): KurrentDBClient {
  const log: Stored[] = [];
  const streams = new Map<string, Stored[]>();
  const live = new Set<{ push: (event: Stored) => void }>();
  let offset = 0n;

  const matches = (filter: Filter | undefined, event: Stored): boolean => {
    if (!filter) return true;
    if ('prefixes' in filter) return filter.prefixes.some((prefix) => event.type.startsWith(prefix));
    return new RegExp(filter.regex).test(event.type);
  };
  const compare = (a: Position, b: Position): number => (a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1);
  const after = (event: Stored, position: Position): boolean => compare(event.position, position) > 0;
  const wrong = (streamName: string, expected: AppendStreamState, current: bigint | typeof NO_STREAM): WrongExpectedVersionError =>
    new WrongExpectedVersionError(undefined, { streamName, expected, current });

  /** The revision of the last event of an earlier identical write, if these ids sit at `from`. */
  const repeatAt = (stream: readonly Stored[], from: number, ids: readonly string[]): bigint | undefined => {
    if (from < 0 || !ids.every((id, i) => stream[from + i]?.id === id)) return undefined;
    return BigInt(from + ids.length - 1);
  };

  async function appendToStream(streamName: string, input: EventData | EventData[], options: { streamState?: AppendStreamState } = {}) {
    const events = Array.isArray(input) ? input : [input];
    const state = options.streamState ?? ANY;
    const stream = streams.get(streamName) ?? [];
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);
    const ids = events.map((event) => event.id);
    let repeat: bigint | undefined;
    if (state === ANY) {
      const first = stream.findIndex((event) => event.id === ids[0]);
      if (first >= 0) {
        repeat = repeatAt(stream, first, ids);
        if (repeat === undefined) throw wrong(streamName, state, current);
      }
    } else if (state === NO_STREAM) {
      if (stream.length > 0 && (repeat = repeatAt(stream, 0, ids)) === undefined) throw wrong(streamName, state, current);
    } else if (state === STREAM_EXISTS) {
      if (stream.length === 0) throw wrong(streamName, state, current);
    } else if (current === NO_STREAM || current !== state) {
      if ((repeat = repeatAt(stream, Number(state) + 1, ids)) === undefined) throw wrong(streamName, state, current);
    }
    if (repeat !== undefined) return { success: true, nextExpectedRevision: repeat };
    const commit = offset;
    const written = events.map((event, index) => {
      const stored: Stored = {
        streamId: streamName,
        id: event.id,
        isJson: true,
        revision: BigInt(stream.length + index),
        type: event.type,
        created: new Date(),
        data: JSON.parse(JSON.stringify(event.data)) as unknown,
        metadata: JSON.parse(JSON.stringify(event.metadata ?? {})) as unknown,
        position: { commit, prepare: commit + BigInt(index) },
      };
      return stored;
    });
    offset += BigInt(events.length) + 1n;
    stream.push(...written);
    streams.set(streamName, stream);
    log.push(...written);
    for (const event of written) for (const subscriber of live) subscriber.push(event);
    return { success: true, nextExpectedRevision: BigInt(stream.length - 1), position: written.at(-1)!.position };
  }

  async function* readStream(streamName: string, options: { direction?: string; fromRevision?: bigint | typeof START | typeof END; maxCount?: number | bigint } = {}) {
    const stream = streams.get(streamName);
    if (!stream) throw new StreamNotFoundError(undefined, streamName);
    const backwards = options.direction === BACKWARDS;
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromRevision === undefined || options.fromRevision === START ? 0 : options.fromRevision === END ? stream.length - 1 : Number(options.fromRevision);
    const picked = backwards ? stream.slice(0, from + 1).reverse() : stream.slice(from);
    for (const event of picked.slice(0, max)) yield { event };
  }

  async function* readAll(options: { direction?: string; fromPosition?: Position | typeof START | typeof END; maxCount?: number | bigint; filter?: Filter } = {}) {
    const backwards = options.direction === BACKWARDS;
    const from = options.fromPosition;
    let events = log.filter((event) => matches(options.filter, event));
    // Inclusive of the position itself, in either direction.
    if (typeof from === 'object') events = events.filter((event) => (backwards ? compare(event.position, from) <= 0 : compare(event.position, from) >= 0));
    if (backwards) events = [...events].reverse();
    for (const event of events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event } as AllStreamResolvedEvent;
  }

  function subscribeToAll(options: { fromPosition?: Position | typeof START; filter?: Filter } = {}) {
    const stream = new PassThrough({ objectMode: true });
    const from = options.fromPosition;
    const subscriber = { push: (event: Stored) => void (matches(options.filter, event) && stream.write({ event })) };
    for (const event of log) if (typeof from !== 'object' || after(event, from)) subscriber.push(event);
    live.add(subscriber);
    stream.once('close', () => live.delete(subscriber));
    return Object.assign(stream, { unsubscribe: async () => void stream.destroy() });
  }

  return { appendToStream, readStream, readAll, subscribeToAll, dispose: async () => undefined } as unknown as KurrentDBClient;
}
