import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpoint, freshDatabase, serverInfo } from './database.js';
import { parseOptions } from './options.js';
import type { BenchOptions } from './options.js';
import { formatTable, ratios } from './report.js';
import type { CellReport } from './report.js';
import { runCell } from './run-cell.js';
import type { CellResult } from './run-cell.js';
import { ceiling } from './systems/ceiling.js';
import { emmett } from './systems/emmett.js';
import { ours } from './systems/ours.js';
import type { BenchSystem, SystemName } from './systems/system.js';

const SYSTEMS: Record<SystemName, BenchSystem> = { ours, emmett, ceiling };
const DEFAULT_OUT = fileURLToPath(new URL('../../results/append.json', import.meta.url));

/** One system in one cell: fresh database, open, checkpoint, warm up and measure, close, drop. */
async function measure(system: BenchSystem, writers: number, batch: number, options: BenchOptions): Promise<CellResult> {
  const database = await freshDatabase(system.name);
  try {
    const open = await system.open(database.url, writers);
    try {
      await checkpoint();
      return await runCell(open, { writers, batch, warmupMs: options.warmupMs, durationMs: options.durationMs });
    } finally {
      await open.close();
    }
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), DEFAULT_OUT);
  const server = await serverInfo();
  const cells: CellReport[] = [];
  for (const batch of options.batches) {
    for (const writers of options.writers) {
      const results: Partial<Record<SystemName, CellResult>> = {};
      // Systems take turns within a cell, so drift on the machine hits all of them alike.
      for (const name of options.systems) {
        results[name] = await measure(SYSTEMS[name], writers, batch, options);
        process.stderr.write(`writers=${writers} batch=${batch} ${name}: ${results[name]?.events_per_second ?? 0} events/s\n`);
      }
      cells.push({ writers, batch, results, ratios: ratios(results) });
    }
  }
  console.log(formatTable(cells));
  const report = {
    benchmark: 'append',
    generated_at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version, postgres: server },
    config: { duration_ms: options.durationMs, warmup_ms: options.warmupMs, writers: options.writers, batches: options.batches },
    systems: Object.fromEntries(options.systems.map((name) => [name, SYSTEMS[name].description])),
    cells,
  };
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten to ${options.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
