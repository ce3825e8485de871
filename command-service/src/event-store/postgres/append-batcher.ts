import type { AppendResult, ExpectedRevision, NewEvent } from '@iwf/contracts';
import type pg from 'pg';
import { appendArguments, appendEncoded, interpretAppend } from './append.js';
import type { AppendArguments, AppendRow } from './append.js';

/**
 * Group commit for appends on a pool: at most `maxInFlight` append statements run at once, and
 * appends that arrive while they do wait and then go together, as one `iwf_events.append_json_batch`
 * call: one round trip, one transaction and one WAL flush for all of them. An append that finds
 * a free slot leaves at once, so a lone writer waits for nothing; under load the batches grow
 * with the queue, which is when sharing a commit pays.
 *
 * When a statement finishes, its slot is filled on the next turn of the event loop, not at once:
 * the callers it answered usually append again straight away, and they then join the appends
 * already waiting instead of one of them taking the slot alone and the rest queueing behind it.
 * What waits is shared evenly among the free slots, so two statements run side by side rather
 * than one carrying everything while the other idles. One stream's appends never run in two
 * statements at once: a statement takes all that wait for a stream it carries, and a stream
 * with an append in a running statement waits for it, so they run in arrival order.
 *
 * Each append keeps its own outcome: a wrong expected revision or a used event id refuses that
 * append only. When the call itself fails (a racing writer's unique violation, a deadlock, a
 * lost connection) nothing of it was written, or, for a lost connection, possibly all of it: the
 * appends are then replayed through the single-append path, one stream's in order, whose id
 * check answers an append that did land as already appended.
 */
export interface AppendBatcher {
  append(stream_id: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
}

export interface AppendBatching {
  /** Append statements running at once; more appends queue and share the next statement. */
  readonly maxInFlight: number;
  /** Most appends in one statement. */
  readonly maxAppends: number;
  /** Most events in one statement (a single larger append still goes, alone). */
  readonly maxEvents: number;
}

export const DEFAULT_APPEND_BATCHING: AppendBatching = { maxInFlight: 2, maxAppends: 64, maxEvents: 1_000 };

interface Queued {
  readonly expected: ExpectedRevision;
  readonly args: AppendArguments;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const APPEND_BATCH = `SELECT status, next_revision::text AS next_revision, commit_tx::text AS commit_tx,
  last_position::text AS last_position, duplicate_id::text AS duplicate_id
  FROM iwf_events.append_json_batch($1, $2, $3, $4, $5, $6, $7, $8)`;

export function createAppendBatcher(pool: pg.Pool, batching: AppendBatching = DEFAULT_APPEND_BATCHING): AppendBatcher {
  if (!(batching.maxInFlight >= 1 && batching.maxAppends >= 1 && batching.maxEvents >= 1)) {
    throw new Error('append batching needs at least one statement in flight, one append and one event per statement');
  }
  let queue: Queued[] = [];
  let inFlight = 0;
  let refillScheduled = false;
  // Streams with an append in a running statement (never in two): their next appends wait for it.
  const busy = new Set<string>();

  const pump = (): void => {
    while (inFlight < batching.maxInFlight && queue.length > 0) {
      const taken = takeBatch(queue, Math.ceil(queue.length / (batching.maxInFlight - inFlight)), batching, (stream) => busy.has(stream));
      if (taken.batch.length === 0) return;
      queue = taken.rest;
      inFlight += 1;
      const streams = new Set(taken.batch.map(streamOf));
      streams.forEach((stream) => busy.add(stream));
      void run(pool, taken.batch).finally(() => {
        inFlight -= 1;
        streams.forEach((stream) => busy.delete(stream));
        scheduleRefill();
      });
    }
  };
  const scheduleRefill = (): void => {
    if (refillScheduled) return;
    refillScheduled = true;
    setImmediate(() => {
      refillScheduled = false;
      pump();
    });
  };

  return {
    async append(stream_id, events, expected) {
      // Invalid input is refused here, before it could share a statement with valid appends.
      const args = appendArguments(stream_id, events, expected);
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ expected, args, resolve, reject });
        if (!refillScheduled) pump();
      });
    },
  };
}

/**
 * The next statement's appends: the first `share` waiting, within the statement limits (a single
 * larger append goes alone), and every later one to a stream already in it. A stream that has an
 * append left behind, or one in a running statement (`busy`), leaves its later appends behind
 * too, so one stream's appends never run in two statements at once and keep their order.
 */
export function takeBatch<T extends Pick<Queued, 'args'>>(
  queue: readonly T[],
  share: number,
  batching: AppendBatching,
  busy: (stream: string) => boolean = () => false,
): { batch: T[]; rest: T[] } {
  const batch: T[] = [];
  const rest: T[] = [];
  const taken = new Set<string>();
  const leftBehind = new Set<string>();
  let events = 0;
  for (const queued of queue) {
    const stream = streamOf(queued);
    const wanted = !leftBehind.has(stream) && !busy(stream) && (batch.length < share || taken.has(stream));
    const fits = batch.length === 0 || (batch.length < batching.maxAppends && events + eventCount(queued) <= batching.maxEvents);
    if (wanted && fits) {
      batch.push(queued);
      taken.add(stream);
      events += eventCount(queued);
    } else {
      rest.push(queued);
      leftBehind.add(stream);
    }
  }
  return { batch, rest };
}

async function run(pool: pg.Pool, batch: Queued[]): Promise<void> {
  const alone = (queued: Queued): Promise<void> => settle(queued, () => appendEncoded(pool, queued.args, queued.expected));
  if (batch.length === 1) return alone(batch[0]!);
  let rows: AppendRow[];
  try {
    rows = (await pool.query<AppendRow>({ name: 'iwf_events_append_json_batch', text: APPEND_BATCH, values: batchArguments(batch) })).rows;
  } catch {
    // One by one within a stream, in arrival order; streams side by side.
    const byStream = new Map<string, Queued[]>();
    for (const queued of batch) {
      const appends = byStream.get(streamOf(queued));
      if (appends) appends.push(queued);
      else byStream.set(streamOf(queued), [queued]);
    }
    await Promise.all([...byStream.values()].map(async (appends) => {
      for (const queued of appends) await alone(queued);
    }));
    return;
  }
  batch.forEach((queued, index) => void settle(queued, async () => interpretAppend(streamOf(queued), queued.expected, rows[index])));
}

const streamOf = (queued: Pick<Queued, 'args'>): string => queued.args[0];
const eventCount = (queued: Pick<Queued, 'args'>): number => queued.args[2].length;

async function settle(queued: Queued, attempt: () => Promise<AppendResult>): Promise<void> {
  try {
    queued.resolve(await attempt());
  } catch (error) {
    queued.reject(error);
  }
}

/** The arguments of `iwf_events.append_json_batch`: per append, then per event, data and metadata as flat JSON arrays. */
function batchArguments(batch: readonly Queued[]): unknown[] {
  // Each append's JSON is an array already; their elements joined make the flat one.
  const flat = (json: readonly string[]): string => `[${json.map((array) => array.slice(1, -1)).join(',')}]`;
  return [
    batch.map(({ args }) => args[0]),
    batch.map(({ args }) => args[1]),
    batch.map(({ args }) => args[2].length),
    batch.flatMap(({ args }) => args[2]),
    batch.flatMap(({ args }) => args[3]),
    batch.flatMap(({ args }) => args[4]),
    flat(batch.map(({ args }) => args[5])),
    flat(batch.map(({ args }) => args[6])),
  ];
}
