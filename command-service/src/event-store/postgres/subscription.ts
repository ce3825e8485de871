import type { BatchHandler, LogPosition, ReadAllOptions, Subscription, SubscriptionOptions } from '@iwf/contracts';
import { START, comparePositions } from '@iwf/contracts';
import type { LogPage } from './read.js';

export interface SubscriptionTiming {
  /** Re-read this often even without a wake-up, in case a NOTIFY was lost. */
  readonly pollMs: number;
  /** First and longest wait before re-reading while committed rows wait beyond the horizon. */
  readonly pendingMinMs: number;
  readonly pendingMaxMs: number;
}

export interface SubscriptionSource {
  readPage(options: ReadAllOptions): Promise<LogPage>;
  /** Registers a wake-up callback; returns its removal. */
  onWake(wake: () => void): () => void;
  onError(error: unknown): void;
  readonly timing: SubscriptionTiming;
}

const DEFAULT_BATCH_SIZE = 256;

/** Catch-up then live: reads pages after its position and sleeps until woken, polled or backed off. */
export function startSubscription(source: SubscriptionSource, handler: BatchHandler, options: SubscriptionOptions = {}): Subscription {
  const alarm = createAlarm();
  const removeWake = source.onWake(alarm.ring);
  let stopped = false;

  const done = (async () => {
    try {
      await consume(source, handler, options, alarm, () => stopped);
    } finally {
      removeWake();
    }
  })();
  // The failure is reported through `done`; without this, an unobserved `done` would crash the process.
  done.catch(() => undefined);

  return {
    done,
    async stop() {
      stopped = true;
      alarm.ring();
      await done.catch(() => undefined);
    },
  };
}

async function consume(
  source: SubscriptionSource,
  handler: BatchHandler,
  options: SubscriptionOptions,
  alarm: Alarm,
  isStopped: () => boolean,
): Promise<void> {
  const batchSize = options.batch_size ?? DEFAULT_BATCH_SIZE;
  const limit = options.max_count;
  const { timing } = source;
  let after: LogPosition = options.after ?? START;
  let delivered = 0;
  let pendingWait = timing.pendingMinMs;

  while (!isStopped() && (limit === undefined || delivered < limit)) {
    const page = await readOrWait(source, { after, max_count: batchSize, type_prefixes: options.type_prefixes }, alarm);
    if (!page) continue;
    if (isStopped()) return;
    const events = limit === undefined ? page.events : page.events.slice(0, limit - delivered);
    const last = events.at(-1);
    if (last) {
      await handler(events);
      delivered += events.length;
      after = last.position;
      if (limit !== undefined && delivered >= limit) return;
    }
    if (page.events.length === batchSize) continue;
    // Everything up to the head was scanned in this snapshot; skip what the type filter left out.
    if (page.head && comparePositions(page.head, after) > 0) after = page.head;
    if (page.pending) {
      await alarm.wait(pendingWait);
      pendingWait = Math.min(pendingWait * 2, timing.pendingMaxMs);
    } else {
      pendingWait = timing.pendingMinMs;
      await alarm.wait(timing.pollMs);
    }
  }
}

/** Reads a page; a failed read (database away) is reported and retried after a poll interval. */
async function readOrWait(source: SubscriptionSource, options: ReadAllOptions, alarm: Alarm): Promise<LogPage | undefined> {
  try {
    return await source.readPage(options);
  } catch (error) {
    source.onError(error);
    await alarm.wait(source.timing.pollMs);
    return undefined;
  }
}

interface Alarm {
  readonly ring: () => void;
  /** Resolves after `ms`, or at once if rung since the last wait returned. */
  wait(ms: number): Promise<void>;
}

function createAlarm(): Alarm {
  let rung = false;
  let wakeSleeper: (() => void) | undefined;
  return {
    ring() {
      rung = true;
      wakeSleeper?.();
    },
    wait(ms) {
      if (rung) {
        rung = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(finish, ms);
        function finish(): void {
          clearTimeout(timer);
          wakeSleeper = undefined;
          rung = false;
          resolve();
        }
        wakeSleeper = finish;
      });
    },
  };
}
