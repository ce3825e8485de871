import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createPool, ensureDatabase } from '../db/pool.js';
import { migrateUp, type MigrationSet } from '../db/migrations.js';

/** Opens the pool and brings the schemas this process owns up to date. */
export async function openDatabase(config: Config, logger: Logger, sets: readonly MigrationSet[], options: { poolMax?: number } = {}): Promise<pg.Pool> {
  if (config.env === 'development' || config.env === 'test') await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, options.poolMax ?? config.dbPoolMax, logger);
  for (const set of sets) {
    const applied = await migrateUp(pool, set);
    if (applied.length > 0) logger.info({ schema: set.schema, applied }, 'migrations applied');
  }
  return pool;
}
