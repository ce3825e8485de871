import pg from 'pg';
import type { Logger } from 'pino';
import { comparePositions, type LogPosition } from '@iwf/contracts';
import { boundedWaits } from './bounded-waits.js';

export const PROJECTION_CHANNEL = 'iwf_projection';

/**
 * Knows how far each read model has got, so reads can say `X-Log-Position` and wait for
 * `X-Min-Position`. The projector NOTIFYs after each committed batch (and its cache writes);
 * waiters also re-read the checkpoint table every `pollMs`, so a lost notification only slows
 * a wait down, never breaks it.
 */
export interface PositionWatcher {
  current(projections: readonly string[]): LogPosition | undefined;
  waitFor(projections: readonly string[], min: LogPosition, timeoutMs: number): Promise<boolean>;
  refresh(): Promise<void>;
  close(): Promise<void>;
}

interface Target {
  readonly projections: readonly string[];
  readonly min: LogPosition;
}

export async function createPositionWatcher(options: {
  pool: pg.Pool;
  connectionString: string;
  logger: Logger;
  pollMs?: number;
  /** Wait before replacing a lost listener connection, and between failed attempts. */
  reconnectMs?: number;
}): Promise<PositionWatcher> {
  const positions = new Map<string, LogPosition>();
  const waiters = boundedWaits<Target>();
  const pollMs = options.pollMs ?? 100;
  const reconnectMs = options.reconnectMs ?? 1_000;
  let listener: pg.Client | undefined;
  let closed = false;
  let poller: NodeJS.Timeout | undefined;

  const current = (projections: readonly string[]): LogPosition | undefined => {
    let lowest: LogPosition | undefined;
    for (const name of projections) {
      const position = positions.get(name);
      if (!position) return undefined;
      if (!lowest || comparePositions(position, lowest) < 0) lowest = position;
    }
    return lowest;
  };
  const reached = (target: Target): boolean => {
    const position = current(target.projections);
    return position !== undefined && comparePositions(position, target.min) >= 0;
  };
  const settle = (): void => {
    waiters.settle(reached);
    if (waiters.size === 0 && poller) {
      clearInterval(poller);
      poller = undefined;
    }
  };
  const refresh = async (): Promise<void> => {
    const result = await options.pool
      .query<{ projection: string; commit_pos: string | number; prepare_pos: string | number }>(
        'SELECT projection, commit_pos, prepare_pos FROM iwf_read.projection_checkpoints',
      )
      .catch((error: { code?: string }) => {
        // Before the projector's first start the table does not exist: nothing is projected yet.
        if (error.code === '42P01') return { rows: [] };
        throw error;
      });
    for (const row of result.rows) positions.set(row.projection, { commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) });
    settle();
  };
  const poll = (): void => {
    refresh().catch((error: unknown) => options.logger.warn({ err: error }, 'reading projection checkpoints failed'));
  };

  // A lost listener is replaced, every reconnectMs until a connection takes: without it the
  // positions only move while a read waits (its poll), and X-Log-Position falls behind.
  const reconnectLater = (): void => {
    if (closed) return;
    setTimeout(() => {
      if (closed) return;
      listen().catch((error: unknown) => {
        options.logger.warn({ err: error }, 'projection listener could not reconnect; trying again');
        reconnectLater();
      });
    }, reconnectMs);
  };
  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: options.connectionString });
    client.on('notification', poll);
    client.on('error', (error) => {
      options.logger.warn({ err: error }, 'projection listener lost its connection');
      client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${PROJECTION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    poll(); // catch up on anything missed while not listening
  };

  await listen();
  await refresh();

  return {
    current,
    refresh,
    async waitFor(projections, min, timeoutMs) {
      const target: Target = { projections, min };
      if (reached(target)) return true;
      await refresh();
      if (reached(target)) return true;
      const answer = waiters.wait(target, timeoutMs);
      poller ??= setInterval(poll, pollMs);
      return answer;
    },
    async close() {
      closed = true;
      if (poller) clearInterval(poller);
      waiters.endAll();
      await listener?.end().catch(() => undefined);
    },
  };
}
