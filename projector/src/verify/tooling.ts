import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import type { Config } from '@iwf/platform/config/config';
import { loadConfig } from '@iwf/platform/config/config';
import { createPool } from '@iwf/platform/db/pool';
import { UsageError } from '../cli/command.js';
import { projections } from '../read-models.js';
import type { Projection } from '../runner/projection.js';

/** What the operator commands work against: the database named by DATABASE_URL and its event store. */
export interface Tooling {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  close(): Promise<void>;
}

export function openTooling(config: Config = loadConfig(), poolSize = 6): Tooling {
  const pool = createPool(config.databaseUrl, poolSize);
  const store = createPostgresEventStore({ pool, connectionString: config.databaseUrl });
  return {
    config,
    pool,
    store,
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

/** Runs `work` with the tooling open, closing it however `work` ends. */
export async function withTooling<T>(work: (tooling: Tooling) => Promise<T>): Promise<T> {
  const tooling = openTooling();
  try {
    return await work(tooling);
  } finally {
    await tooling.close();
  }
}

/** The projections named on the command line, or all of them with --all. */
export function selectProjections(names: readonly string[], all: boolean, known: readonly Projection[] = projections): Projection[] {
  if (all && names.length > 0) throw new UsageError('name projections or give --all, not both');
  if (all) return [...known];
  if (names.length === 0) throw new UsageError(`name a projection (${known.map((p) => p.name).join(', ')}) or give --all`);
  return names.map((name) => {
    const found = known.find((projection) => projection.name === name);
    if (!found) throw new UsageError(`unknown projection "${name}"; known: ${known.map((p) => p.name).join(', ')}`);
    return found;
  });
}

export async function countEvents(db: Pick<pg.ClientBase, 'query'>): Promise<number> {
  const result = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM iwf_events.events');
  return Number(result.rows[0]?.n ?? 0);
}
