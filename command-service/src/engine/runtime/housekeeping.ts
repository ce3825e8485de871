import type pg from 'pg';
import type { PollTask } from './poller.js';

/**
 * Forgets ended executions' sync rows after a while (default a day). They only guard
 * against a late sync writing rows back, which cannot come that late; a failed execution
 * that is retried later gets its row again with its next sync. Runs at most once a minute.
 */
export function housekeeping(pool: pg.Pool, clock: () => Date, keepMs = 86_400_000, everyMs = 60_000): PollTask {
  let last = 0;
  return {
    name: 'housekeeping',
    async run() {
      const now = clock();
      if (now.getTime() - last < everyMs) return false;
      last = now.getTime();
      await pool.query(
        `DELETE FROM iwf_command.engine_executions
         WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out') AND updated_at < $1::timestamptz - $2 * interval '1 millisecond'`,
        [now.toISOString(), keepMs],
      );
      return false;
    },
  };
}
