import type { AllStreamResolvedEvent, AllStreamSubscription, KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { BatchHandler, LogPosition, RecordedEvent, Subscription, SubscriptionOptions } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import { allFilter, matchesPrefixes, toReadPosition, toRecordedEvent } from './mapping.js';

export interface KurrentSubscriptionSettings {
  /** A dropped subscription is reported here and started again from where it got to. */
  readonly onError: (error: unknown) => void;
  readonly resubscribeMs: number;
}

const DEFAULT_BATCH_SIZE = 256;

/**
 * A catch-up subscription to `$all` with the type filter applied by the server. Events are
 * buffered while the handler runs, so a slow handler gets bigger batches rather than a
 * backlog of calls; the stream is paused when the buffer is full. The position the caller
 * checkpoints is each event's own (commit, prepare).
 */
export function subscribeToAll(client: KurrentDBClient, handler: BatchHandler, options: SubscriptionOptions, settings: KurrentSubscriptionSettings): Subscription {
  const batchSize = options.batch_size ?? DEFAULT_BATCH_SIZE;
  const limit = options.max_count ?? Number.POSITIVE_INFINITY;
  const buffer: RecordedEvent[] = [];
  let after: LogPosition | undefined = options.after;
  let delivered = 0;
  let stopped = false;
  let source: AllStreamSubscription | undefined;
  let wake: (() => void) | undefined;
  const ring = (): void => {
    wake?.();
    wake = undefined;
  };

  const open = (): void => {
    const from = buffer.at(-1)?.position ?? after;
    const subscription = client.subscribeToAll({ fromPosition: toReadPosition(from), filter: allFilter(options.type_prefixes) });
    source = subscription;
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      const event = toRecordedEvent(resolved);
      const last = buffer.at(-1)?.position ?? after;
      // The start position is exclusive for us; a resubscription may repeat what was buffered.
      if (!event || !matchesPrefixes(event.type, options.type_prefixes) || (last && comparePositions(event.position, last) <= 0)) return;
      buffer.push(event);
      if (buffer.length >= batchSize * 4) subscription.pause();
      ring();
    });
    subscription.on('error', (error: Error) => {
      if (stopped || source !== subscription) return;
      settings.onError(error);
      source = undefined;
      setTimeout(() => {
        if (!stopped) open();
      }, settings.resubscribeMs).unref();
    });
  };

  const done = (async () => {
    open();
    while (!stopped && delivered < limit) {
      if (buffer.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const batch = buffer.splice(0, Math.min(batchSize, limit - delivered));
      source?.resume();
      await handler(batch);
      delivered += batch.length;
      after = batch.at(-1)?.position ?? after;
    }
  })();
  const closeSource = async (): Promise<void> => {
    const current = source;
    source = undefined;
    await current?.unsubscribe().catch(() => undefined);
  };
  // The failure is reported through `done`; the source closes either way, and nothing here
  // leaves a rejection unobserved (that would crash the process).
  void done.then(closeSource, closeSource);

  return {
    done,
    async stop() {
      stopped = true;
      ring();
      await done.catch(() => undefined);
      await closeSource();
    },
  };
}
