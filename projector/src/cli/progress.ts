/**
 * A progress line for long runs on stderr: bar, count, rate and ETA when the total is known,
 * count and rate when it is not. Redrawn in place on a terminal, printed about every few
 * seconds otherwise (`--progress` into a log), silent when disabled.
 */
export interface ProgressOptions {
  readonly label: string;
  readonly unit: string;
  readonly total?: number | undefined;
  readonly enabled: boolean;
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds; injected by tests. */
  readonly now?: () => number;
}

const BAR_WIDTH = 24;

export class Progress {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly now: () => number;
  private readonly started: number;
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private count = 0;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  update(count: number): void {
    this.count = count;
    const interval = this.stream.isTTY ? 100 : 5_000;
    if (!this.options.enabled || this.now() - this.lastDrawn < interval) return;
    this.lastDrawn = this.now();
    this.write(this.render());
  }

  /** The final line, always on a line of its own. */
  finish(count = this.count): void {
    this.count = count;
    if (!this.options.enabled) return;
    this.write(this.render());
    if (this.stream.isTTY) this.stream.write('\n');
  }

  render(): string {
    const { label, unit, total } = this.options;
    const seconds = Math.max((this.now() - this.started) / 1000, 1e-3);
    const rate = this.count / seconds;
    const counted = `${format(this.count)}${total === undefined ? '' : `/${format(total)}`} ${unit}`;
    const speed = `${format(Math.round(rate))} ${unit}/s`;
    if (total === undefined || total <= 0) return `${label} ${counted} ${speed} ${clock(seconds)}`;
    const share = Math.min(this.count / total, 1);
    const filled = Math.round(share * BAR_WIDTH);
    const eta = rate > 0 ? clock(Math.max(total - this.count, 0) / rate) : '--:--';
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}% ${counted} ${speed} ETA ${eta}`;
  }

  private write(line: string): void {
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }
}

/** On when asked for, or when stderr is a terminal. */
export function progressWanted(flag: boolean | undefined, stream: { isTTY?: boolean } = process.stderr): boolean {
  return flag === true || stream.isTTY === true;
}

function format(n: number): string {
  return n.toLocaleString('en-US');
}

function clock(totalSeconds: number): string {
  const seconds = Math.round(totalSeconds);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
