import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpoint, freshDatabase, serverInfo } from './database.js';
import { parseOptions } from './options.js';
import type { BenchOptions } from './options.js';
import { formatCpuTable, formatTable, ratios } from './report.js';
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
      return await runCell(open, database.url, { writers, batch, warmupMs: options.warmupMs, durationMs: options.durationMs });
    } finally {
      await open.close();
    }
  } finally {
    await database.drop();
  }
}

function median(runs: readonly CellResult[]): CellResult | undefined {
  return [...runs].sort((a, b) => a.events_per_second - b.events_per_second)[Math.floor(runs.length / 2)];
}

async function measureCell(writers: number, batch: number, options: BenchOptions): Promise<CellReport> {
  const runs = new Map<SystemName, CellResult[]>();
  // Systems take turns within a cell (and rounds repeat the turns), so drift on the machine hits all alike.
  for (let round = 0; round < options.rounds; round += 1) {
    for (const name of options.systems) {
      const result = await measure(SYSTEMS[name], writers, batch, options);
      runs.set(name, [...(runs.get(name) ?? []), result]);
      process.stderr.write(`writers=${writers} batch=${batch} ${name} round ${round + 1}: ${result.events_per_second} events/s\n`);
    }
  }
  const results: Partial<Record<SystemName, CellResult>> = {};
  for (const [name, list] of runs) results[name] = median(list);
  const all_rounds = Object.fromEntries([...runs].map(([name, list]) => [name, list.map((run) => run.events_per_second)]));
  return { writers, batch, results, ratios: ratios(results), all_rounds };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), DEFAULT_OUT);
  const server = await serverInfo();
  const cells: CellReport[] = [];
  for (const batch of options.batches) {
    for (const writers of options.writers) cells.push(await measureCell(writers, batch, options));
  }
  console.log(formatTable(cells));
  console.log(`\nCPU per event, microseconds (client process / PostgreSQL backends):\n${formatCpuTable(cells)}`);
  const report = {
    benchmark: 'append',
    generated_at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version, postgres: server },
    config: { duration_ms: options.durationMs, warmup_ms: options.warmupMs, rounds: options.rounds, writers: options.writers, batches: options.batches },
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
