import type pg from 'pg';
import { comparePositions, type LogPosition } from '@iwf/contracts';
import { headPosition } from '@iwf/command-service/event-store/postgres/read';
import { boundedWaits } from './bounded-waits.js';

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

export interface LogReachOptions {
  /** Between two reads of the head while a wait is open. */
  readonly pollMs?: number;
  /** A read that takes longer counts as failed (the poll goes on; a hung connection cannot stall it). */
  readonly readTimeoutMs?: number;
}

/**
 * The log's reach, read from PostgreSQL. Reads are shared: while one is in flight, everyone who
 * asks gets it. Waits share one poll: while any wait is open, one read every `pollMs` answers
 * all of them, however many there are. A failed read answers none; a wait that sees no read
 * succeed runs out (503).
 */
export function logReach(pool: pg.Pool, options: LogReachOptions = {}): LogReach {
  const pollMs = options.pollMs ?? 25;
  const readTimeoutMs = options.readTimeoutMs ?? 2_000;
  const waiters = boundedWaits<LogPosition>();
  let polling = false;
  let newest: LogPosition | undefined;
  let inFlight: Promise<LogPosition | undefined> | undefined;

  const reached = (min: LogPosition): boolean => newest !== undefined && comparePositions(newest, min) >= 0;
  const readOnce = async (): Promise<LogPosition | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading the log's head took over ${readTimeoutMs} ms`)), readTimeoutMs);
    });
    try {
      const head = await Promise.race([headPosition(pool), timeout]);
      if (head !== undefined && (newest === undefined || comparePositions(head, newest) > 0)) newest = head;
      return head;
    } finally {
      clearTimeout(timer);
    }
  };
  const read = (): Promise<LogPosition | undefined> => {
    inFlight ??= readOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const poll = async (): Promise<void> => {
    polling = true;
    try {
      while (waiters.size > 0) {
        await read().catch(() => undefined);
        waiters.settle(reached);
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
    async waitFor(min, timeoutMs) {
      // What is known, then one fresh read, before any timer: a wait of 0 ms still sees the log.
      if (reached(min)) return true;
      await read().catch(() => undefined);
      if (reached(min)) return true;
      const answer = waiters.wait(min, timeoutMs);
      if (!polling) void poll();
      return answer;
    },
  };
}
