import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '@iwf/platform/db/migrations';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { createPositionWatcher, PROJECTION_CHANNEL, type PositionWatcher } from '@iwf/query-service/positions/watcher';
import { readModelMigrations } from '../read-models.js';
import { eventually } from '../runner/testing/fixture.js';

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Parameters<typeof createPositionWatcher>[0]['logger'];

describe('position watcher (query service)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let admin: pg.Client;
  let watcher: PositionWatcher;

  const commitCheckpoint = async (prepare: number): Promise<void> => {
    await pool.query(
      `INSERT INTO iwf_read.projection_checkpoints (projection, version, commit_pos, prepare_pos) VALUES ('workflows', 1, 1, $1)
       ON CONFLICT (projection) DO UPDATE SET prepare_pos = excluded.prepare_pos`,
      [prepare],
    );
    await pool.query(`NOTIFY ${PROJECTION_CHANNEL}, 'workflows'`);
  };
  const seen = (): bigint | undefined => watcher.current(['workflows'])?.prepare;

  beforeAll(async () => {
    db = await createTestDatabase('position_watcher');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await migrateUp(pool, readModelMigrations);
    admin = new pg.Client({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1') });
    await admin.connect();
    watcher = await createPositionWatcher({ pool, connectionString: db.url, logger: quiet, reconnectMs: 200 });
  });
  afterAll(async () => {
    await watcher?.close();
    await admin?.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await pool?.end();
    await db?.drop();
  });

  it('follows checkpoints by NOTIFY alone, and keeps trying to listen again until a lost connection can be replaced', async () => {
    await commitCheckpoint(10);
    await eventually(seen, (prepare) => prepare === 10n, 5_000);

    // The listener's connection goes, and for a while no new connection to the database is allowed.
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'",
      [db.name],
    );
    expect(killed.rowCount).toBe(1);
    // Several reconnect attempts fail meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);

    // No read waits, so nothing polls: only a listener that came back (and caught up) sees this.
    await commitCheckpoint(20);
    await eventually(seen, (prepare) => prepare === 20n, 10_000);
  });
});
