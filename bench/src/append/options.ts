import type { SystemName } from './systems/system.js';

export interface BenchOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly writers: readonly number[];
  readonly batches: readonly number[];
  readonly systems: readonly SystemName[];
  /** Runs of each system per cell, interleaved; the report keeps the median run. */
  readonly rounds: number;
  readonly out: string;
}

const SYSTEMS: readonly SystemName[] = ['ours', 'emmett', 'ceiling'];

const USAGE = `usage: bench:append [--duration=4] [--warmup=1] [--writers=1,8,32] [--batch=1,10]
  [--systems=ours,emmett,ceiling] [--rounds=1] [--out=bench/results/append.json]
  (durations in seconds; BENCH_DATABASE_URL names the server)`;

/** Parses `--name=value` flags; anything unknown or malformed stops the run with the usage text. */
export function parseOptions(args: readonly string[], defaultOut: string): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match?.[1] || !match[2]) throw new Error(`unrecognised argument ${arg}\n${USAGE}`);
    flags.set(match[1], match[2]);
  }
  const unknown = [...flags.keys()].filter((key) => !['duration', 'warmup', 'writers', 'batch', 'systems', 'rounds', 'out'].includes(key));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}\n${USAGE}`);
  const systems = list(flags.get('systems'), 'ours,emmett,ceiling').map((name) => {
    const system = SYSTEMS.find((known) => known === name);
    if (!system) throw new Error(`unknown system ${name}\n${USAGE}`);
    return system;
  });
  return {
    durationMs: seconds(flags.get('duration') ?? '4'),
    warmupMs: seconds(flags.get('warmup') ?? '1'),
    writers: list(flags.get('writers'), '1,8,32').map(positive),
    batches: list(flags.get('batch'), '1,10').map(positive),
    systems,
    rounds: positive(flags.get('rounds') ?? '1'),
    out: flags.get('out') ?? defaultOut,
  };
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback).split(',').map((item) => item.trim()).filter(Boolean);
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`not a number of seconds: ${value}\n${USAGE}`);
  return Math.round(parsed * 1000);
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new Error(`not a positive integer: ${value}\n${USAGE}`);
  return parsed;
}
