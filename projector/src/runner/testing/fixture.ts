import pg from 'pg';
import type { EventStore, WorkflowEvent } from '@iwf/contracts';
import { streamId } from '@iwf/contracts';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { readModelMigrations } from '../../read-models.js';
import { toNewEvent } from '../../workflows/testing/workflow-events.js';

/** A fresh database holding an event store and the read models, as the projector sees them. */
export interface ProjectorFixture {
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  append(tenant: string, workflow_id: string, events: readonly WorkflowEvent[]): Promise<void>;
  close(): Promise<void>;
}

export async function createProjectorFixture(label: string): Promise<ProjectorFixture> {
  const db = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  // Idle connections of this pool may be terminated by tests; the pool replaces them.
  pool.on('error', () => undefined);
  await migrateUp(pool, eventStoreMigrations);
  await migrateUp(pool, readModelMigrations);
  const store = createPostgresEventStore({ pool, connectionString: db.url, timing: { pollMs: 200 }, onError: () => undefined });
  return {
    db,
    pool,
    store,
    async append(tenant, workflow_id, events) {
      await store.append(streamId('workflow', tenant, workflow_id), events.map((event) => toNewEvent(tenant, event)), 'any');
    },
    async close() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

/**
 * Polls until the check passes; fails with its last answer after the timeout. A check that
 * throws is tried again (tests that kill connections also kill the checker's own), and its
 * last error is reported if time runs out.
 */
export async function eventually<T>(check: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    try {
      const value = await check();
      if (accept(value)) return value;
      last = `last value: ${JSON.stringify(value, bigints)}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Every row of the read-model tables, in a stable order, for comparing two databases. */
export async function dumpReadModel(pool: pg.Pool): Promise<{ workflows: unknown[]; workflow_versions: unknown[] }> {
  const workflows = await pool.query<Record<string, unknown>>('SELECT * FROM iwf_read.workflows ORDER BY tenant, workflow_id');
  const versions = await pool.query<Record<string, unknown>>(
    'SELECT * FROM iwf_read.workflow_versions ORDER BY tenant, workflow_id, definition_revision',
  );
  return { workflows: workflows.rows, workflow_versions: versions.rows };
}
