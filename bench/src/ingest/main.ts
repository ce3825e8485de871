import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpoint, freshDatabase, serverInfo } from '../append/database.js';
import type { LoadResult } from './load.js';
import { runLoad } from './load.js';
import type { RunningSystem, SystemName } from './systems.js';
import { startCeiling, startOurs } from './systems.js';

const USAGE = 'usage: bench:ingest [--duration=5] [--warmup=1] [--clients=1,16,64] [--pool=20] [--out=bench/results/ingest.json]   (seconds; BENCH_DATABASE_URL names the server)';
const DEFAULT_OUT = fileURLToPath(new URL('../../results/ingest.json', import.meta.url));
const STARTERS: Record<SystemName, (url: string, pool: number) => Promise<RunningSystem>> = { ours: startOurs, ceiling: startCeiling };

function options(args: readonly string[]) {
  const flags = new Map(args.map((arg) => {
    const match = /^--(duration|warmup|clients|pool|out)=(.+)$/.exec(arg);
    if (!match?.[1] || !match[2]) throw new Error(`unrecognised argument ${arg}\n${USAGE}`);
    return [match[1], match[2]] as const;
  }));
  const number = (name: string, fallback: string): number => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number\n${USAGE}`);
    return value;
  };
  return {
    durationMs: number('duration', '5') * 1000,
    warmupMs: number('warmup', '1') * 1000,
    pool: number('pool', '20'),
    clients: (flags.get('clients') ?? '1,16,64').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0),
    out: flags.get('out') ?? DEFAULT_OUT,
  };
}

/** One system at one concurrency: fresh database, start, checkpoint, load, stop, drop. */
async function measure(name: SystemName, clients: number, settings: ReturnType<typeof options>): Promise<LoadResult> {
  const database = await freshDatabase(`ingest_${name}`);
  try {
    const system = await STARTERS[name](database.url, settings.pool);
    try {
      await checkpoint();
      return await runLoad(system, clients, settings.warmupMs, settings.durationMs);
    } finally {
      await system.close();
    }
  } finally {
    await database.drop();
  }
}

function table(cells: readonly { clients: number; ours: LoadResult; ceiling: LoadResult }[]): string {
  const headers = ['clients', 'ours req/s', 'p50 ms', 'p99 ms', 'ceiling req/s', 'p50 ms', 'p99 ms', 'ours/ceiling'];
  const rows = cells.map(({ clients, ours, ceiling }) => [
    String(clients),
    ours.requests_per_second.toLocaleString('en-US'),
    ours.latency_ms.p50.toFixed(2),
    ours.latency_ms.p99.toFixed(2),
    ceiling.requests_per_second.toLocaleString('en-US'),
    ceiling.latency_ms.p50.toFixed(2),
    ceiling.latency_ms.p99.toFixed(2),
    `${(ours.requests_per_second / Math.max(1, ceiling.requests_per_second)).toFixed(2)}x`,
  ]);
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cellsOfRow: readonly string[]) => cellsOfRow.map((text, column) => text.padStart(widths[column] ?? 0)).join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const settings = options(process.argv.slice(2));
  // Other work on the machine skews every figure; the report says how busy it was.
  const loadBefore = loadavg();
  const cells: { clients: number; ours: LoadResult; ceiling: LoadResult }[] = [];
  for (const clients of settings.clients) {
    // Both systems in the same cell, one after the other, so machine drift hits both alike.
    const ours = await measure('ours', clients, settings);
    const ceiling = await measure('ceiling', clients, settings);
    process.stderr.write(`clients=${clients}: ours ${ours.requests_per_second} req/s, ceiling ${ceiling.requests_per_second} req/s\n`);
    cells.push({ clients, ours, ceiling });
  }
  console.log(table(cells));
  console.log(`\nload average (1/5/15 min) before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
  const report = {
    benchmark: 'ingest',
    generated_at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: await serverInfo(),
      load_average: { before: loadBefore.map((n) => Math.round(n * 100) / 100), after: loadavg().map((n) => Math.round(n * 100) / 100) },
    },
    config: { duration_ms: settings.durationMs, warmup_ms: settings.warmupMs, clients: settings.clients, pool: settings.pool },
    systems: {
      ours: 'POST /api/v1/events?wait=true on the command service (auth, idempotency plugin, engine workers); each event starts a condition → allow execution that completes before the answer',
      ceiling: 'bare fastify route doing one INSERT of the event (same pool size), no auth',
    },
    cells,
  };
  await mkdir(dirname(settings.out), { recursive: true });
  await writeFile(settings.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten to ${settings.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
