import type { ProjectionLock } from './advisory-lock.js';
import { LostLeadershipError, isTransientError } from './errors.js';
import type { Sleeper } from './sleeper.js';

/** What one single-active worker (a projection runner, the Kafka relay) plugs into `runWhileLeading`. */
export interface LeaderLoop {
  readonly lock: ProjectionLock;
  readonly sleeper: Sleeper;
  readonly lockRetryMs: number;
  stopping(): boolean;
  /** Runs as the active instance until stopped or until the lock is lost. */
  activate(): Promise<void>;
  /** Another instance holds the lock. */
  standby(): void;
  /** Whether an error raised while stopping just ends the loop. */
  endsOnStop(error: unknown): boolean;
  /** A failure retrying cannot mend: records it and answers the error to throw. */
  fail(error: unknown): unknown;
  /** Records a failure worth retrying and waits out the backoff for this attempt. */
  waitToRetry(error: unknown, attempt: number): Promise<void>;
}

/**
 * Takes the lock and runs as the active instance, or stands by and tries again; after a
 * transient failure or a lost lock it lets go of the lock, backs off and starts over. Returns
 * once stopped; throws what `fail` answers for anything else.
 */
export async function runWhileLeading(loop: LeaderLoop): Promise<void> {
  let failures = 0;
  while (!loop.stopping()) {
    try {
      if (await loop.lock.tryAcquire()) {
        await loop.activate();
        failures = 0;
      } else {
        loop.standby();
        await loop.sleeper.sleep(loop.lockRetryMs);
      }
    } catch (error) {
      if (loop.stopping() && loop.endsOnStop(error)) break;
      if (!isTransientError(error) && !(error instanceof LostLeadershipError)) throw loop.fail(error);
      await loop.lock.release();
      await loop.waitToRetry(error, failures++);
    }
  }
}
