import { commandMigrations, eventStoreMigrations } from '@iwf/command-service';
import { loadConfig } from '@iwf/platform/config/config';
import { createPool } from '@iwf/platform/db/pool';
import { appliedVersions, migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import { readModelMigrations } from '../read-models.js';
import { parseOptions, UsageError, type CliCommand } from './command.js';

const SETS = [eventStoreMigrations, commandMigrations, readModelMigrations];

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Apply (up), revert (down) or list (status) database migrations',
  usage: `Usage: iwf migrate up|down|status [--schema S] [--to N]

up      apply pending migrations of every schema (or only --schema), up to --to
down    revert migrations of --schema newer than --to (default 0: all of them)
status  list applied versions per schema
Schemas: ${SETS.map((set) => set.schema).join(', ')}.`,
  async run(args) {
    const { values, positionals } = parseOptions(args, { schema: { type: 'string' }, to: { type: 'string' } }, true);
    const action = positionals[0];
    const target = values.to === undefined ? undefined : Number(values.to);
    if (target !== undefined && !Number.isInteger(target)) throw new UsageError('--to takes a migration version number');
    const sets = values.schema ? SETS.filter((set) => set.schema === values.schema) : SETS;
    if (sets.length === 0) throw new UsageError(`unknown schema ${values.schema ?? ''}`);
    const pool = createPool(loadConfig().databaseUrl, 2);
    try {
      switch (action) {
        case 'up':
          for (const set of sets) print(set.schema, 'applied', await migrateUp(pool, set, target));
          return 0;
        case 'down':
          if (!values.schema) throw new UsageError('down needs --schema (reverting every schema at once is refused)');
          for (const set of sets) print(set.schema, 'reverted', await migrateDown(pool, set, target ?? 0));
          return 0;
        case 'status':
          for (const set of sets) print(set.schema, 'applied', await appliedVersions(pool, set));
          return 0;
        case undefined:
        default:
          throw new UsageError('say up, down or status');
      }
    } finally {
      await pool.end();
    }
  },
};

function print(schema: string, verb: string, versions: readonly number[]): void {
  process.stdout.write(`${schema}: ${verb} ${versions.length === 0 ? 'none' : versions.join(', ')}\n`);
}
