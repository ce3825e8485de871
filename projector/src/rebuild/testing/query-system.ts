import pg from 'pg';
import { pino } from 'pino';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import type { EventStore } from '@iwf/contracts';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { loadConfig } from '@iwf/platform/config/config';
import { migrateUp } from '@iwf/platform/db/migrations';
import { createHttpApp, type HttpApp } from '@iwf/platform/http/app';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { createPositionWatcher, registerQueryService } from '@iwf/query-service';
import { readModelMigrations } from '../../read-models.js';
import { startProjectorRole } from '../../runtime/projector-role.js';
import { TEST_JWT_SECRET } from '../../runtime/testing/system.js';

/**
 * The read side alone on a fresh database: the query API and the projector's runners, no
 * command service and no engine, so nothing writes to the log but the test.
 */
export interface QuerySystem {
  readonly db: TestDatabase;
  readonly app: HttpApp;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  close(): Promise<void>;
}

export async function startQuerySystem(label: string): Promise<QuerySystem> {
  const db = await createTestDatabase(label);
  const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET });
  const logger = pino({ level: 'silent' });
  const pool = new pg.Pool({ connectionString: db.url, max: 12 });
  pool.on('error', () => undefined);
  await migrateUp(pool, eventStoreMigrations);
  await migrateUp(pool, readModelMigrations);
  const store = createPostgresEventStore({ pool, connectionString: db.url, onError: () => undefined });
  const cache = createMemoryCache();
  const projector = startProjectorRole({ store, pool, cache, logger });
  const watcher = await createPositionWatcher({ pool, connectionString: db.url, logger });
  const app = await createHttpApp({ config, logger });
  await registerQueryService(app, { pool, cache }, { watcher, defaultWaitMs: 2_000 });
  await app.ready();
  return {
    db,
    app,
    pool,
    store,
    async close() {
      await app.close();
      await watcher.close();
      await projector.close();
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}
