export interface Row {
  readonly system: 'ours' | 'emmett';
  readonly model: string;
  readonly events: number;
  readonly seconds: number;
}

export interface RebuildBenchOptions {
  /** Events in the log (about; the generator works in whole orders). */
  readonly events: number;
  /** Events per replayed page, for both systems. */
  readonly batch: number;
  readonly emmett: boolean;
  /** Emmett replays one message per call and checkpoints each, so by default it gets the log's first 200,000 events. */
  readonly emmettEvents: number | null;
  readonly out: string;
}

const USAGE = `usage: bench:rebuild [--events=1000000] [--batch=2000] [--emmett=true|false] [--emmett-events=200000|all]
  [--out=bench/results/rebuild.json]
  (BENCH_DATABASE_URL names the server)`;

export function parseOptions(args: readonly string[], defaultOut: string): RebuildBenchOptions {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (!match?.[1] || !match[2] || !['events', 'batch', 'emmett', 'emmett-events', 'out'].includes(match[1])) throw new Error(`unrecognised argument ${arg}\n${USAGE}`);
    flags.set(match[1], match[2]);
  }
  const positive = (name: string, fallback: number): number => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} takes a positive whole number\n${USAGE}`);
    return value;
  };
  return {
    events: positive('events', 1_000_000),
    batch: positive('batch', 2_000),
    emmett: (flags.get('emmett') ?? 'true') !== 'false',
    emmettEvents: flags.get('emmett-events') === 'all' ? null : positive('emmett-events', 200_000),
    out: flags.get('out') ?? defaultOut,
  };
}

/** A markdown table: every model's rebuild throughput, Emmett's beside ours for the executions model. */
export function formatTable(rows: readonly Row[]): string {
  const ours = rows.find((row) => row.system === 'ours' && row.model === 'executions');
  const lines = ['| system | read model | events | seconds | events/s | vs ours |', '|---|---|---:|---:|---:|---:|'];
  for (const row of rows) {
    const rate = row.events / row.seconds;
    const versus = row.system === 'emmett' && ours ? `${(rate / (ours.events / ours.seconds)).toFixed(2)}x` : '';
    lines.push(`| ${row.system} | ${row.model} | ${row.events.toLocaleString('en-US')} | ${row.seconds.toFixed(1)} | ${Math.round(rate).toLocaleString('en-US')} | ${versus} |`);
  }
  return lines.join('\n');
}
