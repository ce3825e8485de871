import { UnavailableError, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import { DomainError, type EventStore, type Subscription } from '@iwf/contracts';
import { appendEvents } from './append.js';
import { headOfAll, readAllEvents, readStreamEvents } from './read.js';
import { subscribeToAll } from './subscription.js';

export interface KurrentDbEventStoreOptions {
  /** The caller's client (`KurrentDBClient.connectionString(KURRENTDB_URL)`); `close()` disposes it only if `ownsClient`. */
  readonly client: KurrentDBClient;
  readonly ownsClient?: boolean;
  /** Dropped subscriptions, reported before they are started again. */
  readonly onError?: (error: unknown) => void;
  readonly resubscribeMs?: number;
}

/** The KurrentDB event store: the same port and contract as the PostgreSQL one. */
export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): EventStore {
  const { client } = options;
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(`KurrentDB subscription dropped: ${error instanceof Error ? error.message : String(error)}`, 'IwfEventStoreWarning'));
  const subscriptions = new Set<Subscription>();
  let closed = false;
  return {
    append: (stream_id, events, expected) => answered(appendEvents(client, stream_id, events, expected)),
    readStream: (stream_id, readOptions) => answered(readStreamEvents(client, stream_id, readOptions)),
    readAll: (readOptions) => answered(readAllEvents(client, readOptions)),
    headPosition: () => answered(headOfAll(client)),
    subscribe(handler, subscribeOptions = {}) {
      if (closed) throw new Error('the event store is closed');
      const subscription = subscribeToAll(client, handler, subscribeOptions, { onError, resubscribeMs: options.resubscribeMs ?? 1_000 });
      subscriptions.add(subscription);
      void subscription.done.catch(() => undefined).finally(() => subscriptions.delete(subscription));
      return subscription;
    },
    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      if (options.ownsClient) await client.dispose();
    },
  };
}

/** A KurrentDB that cannot be reached is a 503 with Retry-After to a client, as PostgreSQL's is. */
async function answered<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof UnavailableError) throw new DomainError('unavailable', 'The event store is not answering; retry shortly.', [], 'event-store-unavailable');
    throw error;
  }
}
