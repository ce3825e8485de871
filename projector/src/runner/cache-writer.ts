import type { Cache } from '@iwf/platform/cache/cache';
import { CACHE_PREFIX } from '@iwf/platform/cache/cache';
import type { RunnerLogger } from './logger.js';
import type { CacheUpdate } from './projection.js';

export interface CacheWriterOptions {
  /** A cache write slower than this counts as failed, so a hung Redis never holds up a batch. */
  readonly timeoutMs?: number;
  /** While the cache is marked for clearing, how often to try. */
  readonly repairIntervalMs?: number;
}

/**
 * Writes a projection's cache entries after commit. The cache is only a cache: a failed write
 * is logged and leaves the cache marked dirty, and the projection's entries are cleared as
 * soon as the cache answers again, since they may now be older than the read model.
 */
export class CacheWriter {
  private isDirty = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly repairIntervalMs: number;

  constructor(
    private readonly cache: Cache,
    private readonly kinds: readonly string[],
    private readonly logger: RunnerLogger,
    options: CacheWriterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.repairIntervalMs = options.repairIntervalMs ?? 1000;
  }

  get dirty(): boolean {
    return this.isDirty;
  }

  /** Removes every entry of the projection's kinds; true when the cache is clean afterwards. */
  async clear(): Promise<boolean> {
    try {
      // Keys are `iwf:c:<tenant>:<kind>:<id>`, so a kind spans tenants and Redis gets a glob
      // (its prefix feeds SCAN MATCH). An in-process cache starts empty with its process and
      // never fails a write, so it holds nothing a crash could have left stale.
      if (this.cache.kind === 'redis') {
        for (const kind of this.kinds) await this.withTimeout(this.cache.clearPrefix(`${CACHE_PREFIX}*:${kind}:`));
      }
      this.isDirty = false;
      this.stopRepair();
      return true;
    } catch (error) {
      this.markDirty(error, 'cache clear failed');
      return false;
    }
  }

  async write(updates: readonly CacheUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    if (this.isDirty && !(await this.clear())) return;
    const results = await Promise.allSettled(
      updates.map((update) => this.withTimeout(this.cache.setIfNewer(update.key, update.revision, update.value))),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) this.markDirty(failed.reason, 'cache write failed');
  }

  /** Marks the cache for clearing without a failure, e.g. when cache writes of a batch were lost. */
  invalidate(): void {
    this.markDirty(undefined, 'cache entries may be stale');
  }

  close(): void {
    this.stopRepair();
  }

  private markDirty(error: unknown, message: string): void {
    if (!this.isDirty) this.logger.warn({ err: error, kinds: this.kinds }, `${message}; clearing when the cache answers`);
    this.isDirty = true;
    this.timer ??= setInterval(() => void this.clear(), this.repairIntervalMs).unref();
  }

  private stopRepair(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async withTimeout<T>(operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cache did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([operation, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
