export const CHANNEL = 'iwf_events';

/**
 * Sends `NOTIFY iwf_events` after appends, outside their transactions: NOTIFY takes a
 * cluster-wide lock at commit, and inside every append it would serialise all committers.
 * At most one NOTIFY is in flight; appends that finish meanwhile share the next one.
 */
export interface Notifier {
  /** An append committed; make sure a NOTIFY is sent after this moment. */
  poke(): void;
  /** Resolves when no NOTIFY is in flight or owed. */
  drain(): Promise<void>;
}

export function createNotifier(send: () => Promise<void>, onError: (error: unknown) => void): Notifier {
  let running: Promise<void> | undefined;
  let owed = false;

  async function run(): Promise<void> {
    while (owed) {
      owed = false;
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
