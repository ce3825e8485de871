import type { EventStore, Subscription } from '@iwf/contracts';
import type pg from 'pg';
import { DEFAULT_APPEND_BATCHING, createAppendBatcher } from './append-batcher.js';
import type { AppendBatching } from './append-batcher.js';
import { startListener } from './listener.js';
import type { Listener } from './listener.js';
import { NOTIFY_SQL, createNotifier } from './notifier.js';
import { headPosition, readAll, readPage, readStream } from './read.js';
import { startSubscription } from './subscription.js';
import type { SubscriptionTiming } from './subscription.js';

export interface PostgresEventStoreOptions {
  /** Serves appends, reads and the NOTIFY after appends. The caller owns it; `close()` leaves it open. */
  readonly pool: pg.Pool;
  /** For the dedicated LISTEN connection; defaults to the pool's own settings. */
  readonly connectionString?: string;
  /** Background failures (a NOTIFY, the LISTEN connection, a subscription read); they cost latency, not events. */
  readonly onError?: (error: unknown) => void;
  readonly timing?: Partial<StoreTiming>;
  /** Group commit of concurrent appends (append-batcher.ts); `maxInFlight: 1` sends one statement at a time. */
  readonly appendBatching?: Partial<AppendBatching>;
}

export interface StoreTiming extends SubscriptionTiming {
  /** Least time between two NOTIFYs under load (an idle store notifies at once). */
  readonly notifyIntervalMs: number;
}

const DEFAULT_TIMING: StoreTiming = { pollMs: 1_000, pendingMinMs: 10, pendingMaxMs: 200, notifyIntervalMs: 5 };

/** The PostgreSQL event store. Apply `eventStoreMigrations` to the database first. */
export function createPostgresEventStore(options: PostgresEventStoreOptions): EventStore {
  const { pool } = options;
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(describe(error), 'IwfEventStoreWarning'));
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const wakes = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
  const notifier = createNotifier(async () => void (await pool.query({ name: 'iwf_events_notify', text: NOTIFY_SQL })), onError, timing.notifyIntervalMs);
  const batcher = createAppendBatcher(pool, { ...DEFAULT_APPEND_BATCHING, ...options.appendBatching });
  let listener: Listener | undefined;
  let closed = false;

  const wakeAll = (): void => wakes.forEach((wake) => wake());

  // One LISTEN connection per store, open while any subscription is.
  const onWake = (wake: () => void): (() => void) => {
    wakes.add(wake);
    listener ??= startListener({
      client: options.connectionString ? { connectionString: options.connectionString } : { ...pool.options },
      onWake: wakeAll,
      onError,
    });
    return () => {
      wakes.delete(wake);
      if (wakes.size === 0 && listener) {
        void listener.stop();
        listener = undefined;
      }
    };
  };

  return {
    async append(stream_id, events, expected) {
      const result = await batcher.append(stream_id, events, expected);
      if (result.appended) {
        wakeAll();
        notifier.poke();
      }
      return result;
    },
    readStream: (stream_id, readOptions) => readStream(pool, stream_id, readOptions),
    readAll: (readOptions = {}) => readAll(pool, readOptions),
    headPosition: () => headPosition(pool),
    subscribe(handler, subscribeOptions) {
      if (closed) throw new Error('the event store is closed');
      const subscription = startSubscription({ readPage: (page) => readPage(pool, page), onWake, onError, timing }, handler, subscribeOptions);
      subscriptions.add(subscription);
      void subscription.done.catch(() => undefined).finally(() => subscriptions.delete(subscription));
      return subscription;
    },
    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await listener?.stop();
      listener = undefined;
      await notifier.drain();
    },
  };
}

function describe(error: unknown): string {
  return `event store background task failed: ${error instanceof Error ? error.message : String(error)}`;
}
