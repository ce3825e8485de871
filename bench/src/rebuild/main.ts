import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import { createPool } from '@iwf/platform/db/pool';
import { projections } from '@iwf/projector/read-models';
import { rebuildProjection } from '@iwf/projector/rebuild/rebuild';
import { checkpoint, freshDatabase, serverInfo } from '../append/database.js';
import { loadFor, loadOurs } from './log.js';
import type { Row } from './report.js';
import { formatTable, parseOptions } from './report.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./emmett-child.js', import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL('../../results/rebuild.json', import.meta.url));

/** Emmett's side runs in its own process (its driver changes process-wide type parsers). */
async function emmett(args: readonly string[]): Promise<{ events: number; seconds: number; rows?: number }> {
  const { stdout } = await run(process.execPath, [CHILD, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { events: number; seconds: number; rows?: number };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), DEFAULT_OUT);
  const database = await freshDatabase('rebuild');
  const rows: Row[] = [];
  try {
    const load = loadFor(options.events);
    const loadStarted = Date.now();
    let reported = 0;
    const events = await loadOurs(database.url, load, (done) => {
      if (done - reported < 100_000) return;
      reported = done;
      process.stderr.write(`log: ${done} events\n`);
    });
    process.stderr.write(`our log: ${events} events in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s\n`);
    if (options.emmett) {
      const loaded = await emmett(['load', database.url, options.emmettEvents === null ? 'all' : String(options.emmettEvents)]);
      process.stderr.write(`Emmett's log: the first ${loaded.events} events of it, copied in ${loaded.seconds.toFixed(1)} s\n`);
    }
    const pool = createPool(database.url, 6);
    const store = createPostgresEventStore({ pool, connectionString: database.url });
    try {
      for (const projection of projections) {
        await checkpoint();
        const result = await rebuildProjection({ pool, store, projection, batchSize: options.batch });
        rows.push({ system: 'ours', model: projection.name, events: result.events, seconds: result.seconds });
        process.stderr.write(`ours ${projection.name}: ${result.events} events in ${result.seconds.toFixed(1)} s\n`);
      }
    } finally {
      await store.close();
      await pool.end();
    }
    if (options.emmett) {
      await checkpoint();
      const rebuilt = await emmett(['rebuild', database.url, String(options.batch)]);
      rows.push({ system: 'emmett', model: 'executions', events: rebuilt.events, seconds: rebuilt.seconds });
      process.stderr.write(`emmett executions: ${rebuilt.events} events in ${rebuilt.seconds.toFixed(1)} s (${rebuilt.rows ?? 0} rows)\n`);
    }
  } finally {
    await database.drop();
  }
  console.log(formatTable(rows));
  const report = {
    benchmark: 'rebuild',
    generated_at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version, postgres: await serverInfo() },
    config: options,
    results: rows.map((row) => ({ ...row, events_per_second: Math.round(row.events / row.seconds) })),
  };
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:rebuild: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
