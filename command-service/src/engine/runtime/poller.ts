import type { Logger } from 'pino';

export interface PollTask {
  readonly name: string;
  /** Does one round; true when it may have more to do right away. */
  run(): Promise<boolean>;
}

/**
 * Runs the engine's periodic work (due timers, lapsed effect claims, executions to advance)
 * every `pollMs`, sooner when something is due sooner (`wakeAt`), and at once after a round
 * that had more to do. Errors are logged and the next round tries again.
 */
export class Poller {
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private nextAt = Number.POSITIVE_INFINITY;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly tasks: readonly PollTask[],
    private readonly pollMs: number,
    private readonly logger: Logger,
    private readonly nextDue: () => Promise<Date | undefined>,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Something becomes due at `at`: make sure a round runs then. */
  wakeAt(at: Date): void {
    const ms = at.getTime();
    if (ms >= this.nextAt) return;
    this.nextAt = ms;
    this.arm(Math.max(0, ms - Date.now()));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let more = false;
      for (const task of this.tasks) {
        try {
          more = (await task.run()) || more;
        } catch (error) {
          this.logger.warn({ err: error, task: task.name }, 'engine poll failed');
        }
      }
      if (this.stopped) return;
      if (more) continue;
      const due = await this.nextDue().catch(() => undefined);
      const wait = due === undefined ? this.pollMs : Math.min(this.pollMs, Math.max(0, due.getTime() - Date.now()));
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        this.nextAt = Number.POSITIVE_INFINITY;
        if (this.timer !== undefined) clearTimeout(this.timer);
        resolve();
      };
      this.nextAt = Date.now() + ms;
      this.arm(ms);
    });
  }

  private arm(ms: number): void {
    if (this.wake === undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const wake = this.wake;
    this.timer = setTimeout(wake, ms);
  }
}
