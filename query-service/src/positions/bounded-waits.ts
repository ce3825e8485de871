/**
 * Waits that end when what they wait for is there (true) or their time runs out (false): the
 * bookkeeping behind both position sources' `waitFor`. The owner decides when to look again
 * (`settle`) and what "there" means.
 */
export interface BoundedWaits<T> {
  /** Resolves true once a `settle` finds `target` reached, false after `timeoutMs`. */
  wait(target: T, timeoutMs: number): Promise<boolean>;
  /** Ends, with true, every wait whose target is reached now. */
  settle(reached: (target: T) => boolean): void;
  /** Ends every wait, with false. */
  endAll(): void;
  readonly size: number;
}

export function boundedWaits<T>(): BoundedWaits<T> {
  const waits = new Map<{ readonly target: T }, (answer: boolean) => void>();
  return {
    wait(target, timeoutMs) {
      return new Promise<boolean>((resolve) => {
        const key = { target };
        const timer = setTimeout(() => end(false), timeoutMs);
        const end = (answer: boolean): void => {
          clearTimeout(timer);
          waits.delete(key);
          resolve(answer);
        };
        waits.set(key, end);
      });
    },
    settle(reached) {
      for (const [{ target }, end] of waits) if (reached(target)) end(true);
    },
    endAll() {
      for (const end of waits.values()) end(false);
    },
    get size() {
      return waits.size;
    },
  };
}
