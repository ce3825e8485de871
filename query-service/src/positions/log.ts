import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { comparePositions, type LogPosition } from '@iwf/contracts';
import { headPosition } from '@iwf/command-service/event-store/postgres/read';

/**
 * Positions for reads of the event log itself (audit): the log has reached the newest event
 * below its horizon, so every event at or before that position is readable.
 */
export interface LogReach {
  current(): Promise<LogPosition | undefined>;
  waitFor(min: LogPosition, timeoutMs: number): Promise<boolean>;
}

/** The log's reach, read from PostgreSQL; a wait asks again every `pollMs` (waits on the log are rare and short). */
export function logReach(pool: pg.Pool, pollMs = 25): LogReach {
  const current = (): Promise<LogPosition | undefined> => headPosition(pool);
  return {
    current,
    async waitFor(min, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const head = await current();
        if (head !== undefined && comparePositions(head, min) >= 0) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await sleep(Math.min(pollMs, left));
      }
    },
  };
}
