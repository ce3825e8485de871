import type pg from 'pg';
import { comparePositions, type LogPosition } from '@iwf/contracts';
import { headPosition } from '@iwf/command-service/event-store/postgres/read';

/**
 * Positions for reads of the event log itself (audit): the log has reached the newest event
 * below its horizon, so every event at or before that position is readable.
 */
export interface LogReach {
  current(): Promise<LogPosition | undefined>;
  /**
   * The newest reach read so far, without a query (an answer refused before its handler reports
   * it). Before the first read it is unknown; asking then starts a read in the background.
   */
  known(): LogPosition | undefined;
  waitFor(min: LogPosition, timeoutMs: number): Promise<boolean>;
}

interface Waiter {
  readonly min: LogPosition;
  readonly resolve: (reached: boolean) => void;
}

/**
 * The log's reach, read from PostgreSQL. Waits share one poll: while any wait is open, one
 * query every `pollMs` answers all of them, however many there are. A failed poll answers
 * none; a wait that sees no poll succeed runs out (503).
 */
export function logReach(pool: pg.Pool, pollMs = 25): LogReach {
  const waiters = new Set<Waiter>();
  let polling = false;
  let newest: LogPosition | undefined;
  const read = async (): Promise<LogPosition | undefined> => {
    const head = await headPosition(pool);
    if (head !== undefined && (newest === undefined || comparePositions(head, newest) > 0)) newest = head;
    return head;
  };
  const poll = async (): Promise<void> => {
    polling = true;
    try {
      while (waiters.size > 0) {
        const head = await read().catch(() => undefined);
        for (const waiter of waiters) {
          if (head !== undefined && comparePositions(head, waiter.min) >= 0) waiter.resolve(true);
        }
        if (waiters.size > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    } finally {
      polling = false;
    }
  };
  return {
    current: read,
    known() {
      if (newest === undefined) void read().catch(() => undefined);
      return newest;
    },
    waitFor(min, timeoutMs) {
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
        const waiter: Waiter = {
          min,
          resolve: (reached) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(reached);
          },
        };
        waiters.add(waiter);
        if (!polling) void poll();
      });
    },
  };
}
