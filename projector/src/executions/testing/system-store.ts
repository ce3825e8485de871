import pg from 'pg';
import type { EventStore, StreamCategory } from '@iwf/contracts';
import { formatPosition, streamId } from '@iwf/contracts';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import type { TestSystem } from '../../runtime/testing/system.js';
import type { AnyEvent } from './record.js';
import { toNewEvent } from './record.js';

/**
 * Appends events to a running test system's log, as the engine would, so its projector
 * builds the read models and its query routes answer from them.
 */
export interface SystemLog {
  readonly pool: pg.Pool;
  /** Appends and answers the log position, as a command's `X-Log-Position` would. */
  append(category: StreamCategory, tenant: string, id: string, events: readonly AnyEvent[], actor?: string): Promise<string>;
  close(): Promise<void>;
}

export function openSystemLog(system: TestSystem): SystemLog {
  const pool = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  pool.on('error', () => undefined);
  const store: EventStore = createPostgresEventStore({ pool, connectionString: system.config.databaseUrl, onError: () => undefined });
  return {
    pool,
    async append(category, tenant, id, events, actor) {
      const result = await store.append(streamId(category, tenant, id), events.map((event) => toNewEvent(tenant, event, actor)), 'any');
      return formatPosition(result.position);
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
