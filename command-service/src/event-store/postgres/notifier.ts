import { setTimeout as delay } from 'node:timers/promises';

export const CHANNEL = 'iwf_events';

/**
 * A wake-up needs no durability: committing it asynchronously keeps it from waiting for (and
 * adding to) the WAL flushes that appends wait for. One statement, so no transaction is left
 * open if it fails.
 */
export const NOTIFY_SQL = `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${CHANNEL}', '')`;

/**
 * Sends `NOTIFY iwf_events` after appends, outside their transactions: NOTIFY takes a
 * cluster-wide lock at commit, and inside every append it would serialise all committers.
 * At most one NOTIFY is in flight, and they start at least `minIntervalMs` apart; appends
 * that finish meanwhile share the next one. Listeners therefore hear of an append at most
 * about one interval plus one round trip after it committed.
 */
export interface Notifier {
  /** An append committed; make sure a NOTIFY is sent after this moment. */
  poke(): void;
  /** Resolves when no NOTIFY is in flight or owed. */
  drain(): Promise<void>;
}

export function createNotifier(send: () => Promise<void>, onError: (error: unknown) => void, minIntervalMs = 0): Notifier {
  let running: Promise<void> | undefined;
  let owed = false;
  let lastStart = Number.NEGATIVE_INFINITY;

  async function run(): Promise<void> {
    while (owed) {
      const wait = lastStart + minIntervalMs - performance.now();
      if (wait > 0) await delay(wait);
      // Cleared only now, so pokes during the wait ride along with this NOTIFY.
      owed = false;
      lastStart = performance.now();
      try {
        await send();
      } catch (error) {
        // Listeners fall back to their safety poll; a lost wake-up costs latency, never events.
        onError(error);
      }
    }
    running = undefined;
  }

  return {
    poke() {
      owed = true;
      running ??= run();
    },
    async drain() {
      while (running) await running;
    },
  };
}
