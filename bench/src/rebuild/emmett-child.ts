/**
 * Emmett's side of the rebuild benchmark, in a process of its own: its driver changes
 * process-wide PostgreSQL type parsers, which must not reach our side. Prints one JSON line.
 *   node emmett-child.js load <database url> <events|all>   (its schema, and a copy of our log or of its start)
 *   node emmett-child.js rebuild <database url> <batch size>
 */
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { executionsProjection } from '@iwf/projector/executions/projection';
import { rebuildWithEmmett } from './emmett.js';
import { copyLogToEmmett } from './log.js';

async function main(): Promise<unknown> {
  const [mode, url, ...rest] = process.argv.slice(2);
  if (!url) throw new Error('usage: emmett-child load|rebuild <database url> ...');
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  if (mode === 'load') {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = getPostgreSQLEventStore(url, { connectionOptions: { pool }, schema: { autoMigration: 'CreateOrUpdate' } });
    await store.schema.migrate();
    const events = await copyLogToEmmett(pool, rest[0] === undefined || rest[0] === 'all' ? null : Number(rest[0]));
    await store.close();
    await pool.end();
    return { events, seconds: seconds() };
  }
  if (mode === 'rebuild') {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    await rebuildWithEmmett(url, pool, executionsProjection, Number(rest[0] ?? 2000));
    const rows = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM emmett_read.executions');
    const events = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM emt_messages');
    await pool.end();
    return { events: Number(events.rows[0]?.n), rows: Number(rows.rows[0]?.n), seconds: seconds() };
  }
  throw new Error(`unknown mode ${String(mode)}`);
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`emmett-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
