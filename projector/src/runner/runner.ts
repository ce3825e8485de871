import { formatPosition } from '@iwf/contracts';
import type { Subscription } from '@iwf/contracts';
import { holdState } from '../parking/store.js';
import { ProjectionLock } from './advisory-lock.js';
import { BatchApplier } from './applier.js';
import { CacheWriter } from './cache-writer.js';
import { ensureCheckpoint } from './checkpoints.js';
import type { Checkpoint } from './checkpoints.js';
import { LostLeadershipError, StopRequestedError, backoffDelay, isTransientError } from './errors.js';
import type { RunnerLogger } from './logger.js';
import { stderrLogger } from './logger.js';
import type { RunnerOptions } from './options.js';
import { Sleeper } from './sleeper.js';
import type { ProjectionStatus, RunnerState } from './status.js';
import { HeadSampler, lagSeconds } from './status.js';
import { runWhileLeading } from './leader-loop.js';
import { rebuildStoredVersion } from './version-rebuild.js';

export { PROJECTION_CHANNEL } from './applier.js';

/**
 * Keeps one projection up to date: takes the projection's lock (or stands by), then feeds it
 * the log from its checkpoint, one transaction per batch. A model stored at another version
 * than the code's is first rebuilt blue/green. Events the handler cannot apply are parked
 * (unless `poison: 'stop'`). `done` settles when it stops; it rejects only when the runner
 * failed for good.
 */
export class ProjectionRunner {
  readonly done: Promise<void>;
  private state: RunnerState = 'starting';
  private stopping = false;
  private lastError: string | undefined;
  private subscription: Subscription | undefined;
  private applier: BatchApplier | undefined;
  private rebuild: AbortController | undefined;
  private rebuildProgress: number | undefined;
  private parkedAtStart = 0;
  private readonly startedAt = new Date();
  private readonly lock: ProjectionLock;
  private readonly cache: CacheWriter;
  private readonly sleeper = new Sleeper();
  private readonly sampler: HeadSampler;
  private readonly logger: RunnerLogger;

  constructor(private readonly options: RunnerOptions) {
    this.logger = options.logger ?? stderrLogger;
    this.lock = new ProjectionLock(options.pool, options.projection.name, (error) => this.lockLost(error));
    this.cache = new CacheWriter(options.cache, options.projection.cacheKinds, this.logger, options.cacheWriter);
    this.sampler = new HeadSampler(options.store, options.statusIntervalMs ?? 1000);
    this.done = this.run();
  }

  /** Finishes the batch in hand, releases the lock and resolves when the runner has stopped. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wakeAll();
    this.rebuild?.abort();
    await this.subscription?.stop();
    await this.done.catch(() => undefined);
  }

  status(): ProjectionStatus {
    const head = this.sampler.head;
    const applier = this.applier;
    return {
      projection: this.options.projection.name,
      version: this.options.projection.version,
      state: this.state,
      position: applier?.position,
      events_applied: applier?.eventsApplied ?? 0,
      head_position: head,
      lag_seconds: lagSeconds(applier?.position, head, applier?.lastRecordedAt ?? this.startedAt, new Date()),
      last_batch_at: applier?.lastBatchAt,
      cache_dirty: this.cache.dirty,
      parked_events: applier?.parkedWaiting ?? this.parkedAtStart,
      rebuild_progress: this.rebuildProgress,
      last_error: this.lastError,
    };
  }

  private async run(): Promise<void> {
    try {
      await runWhileLeading({
        lock: this.lock,
        sleeper: this.sleeper,
        lockRetryMs: this.options.lockRetryMs ?? 1000,
        stopping: () => this.stopping,
        activate: () => this.activate(),
        standby: () => void (this.state = 'standby'),
        endsOnStop: (error) => error instanceof StopRequestedError || isTransientError(error),
        fail: (error) => this.fail(error),
        waitToRetry: (error, attempt) => this.waitToRetry(error, attempt),
      });
      this.state = 'stopped';
    } finally {
      this.sampler.stop();
      this.cache.close();
      await this.lock.release();
    }
  }

  /** Runs as the active instance until stopped or until the lock is lost. */
  private async activate(): Promise<void> {
    const { projection, pool, store } = this.options;
    let checkpoint = await ensureCheckpoint(pool, projection.name, projection.version);
    if (checkpoint.version !== projection.version) checkpoint = await this.rebuildForVersion(checkpoint);
    if (this.park) this.parkedAtStart = (await holdState(pool, projection.name)).waiting;
    // Entries written before a crash may be older than what committed; start from an empty cache.
    await this.cache.clear();
    const applier = this.createApplier(checkpoint);
    this.state = 'active';
    this.logger.info({ projection: projection.name, position: checkpoint.position && formatPosition(checkpoint.position) }, 'projection active');
    this.sampler.start();
    const subscription = store.subscribe((events) => applier.accept(events), {
      after: checkpoint.position,
      batch_size: this.options.batchSize ?? 500,
    });
    this.subscription = subscription;
    // A stop that arrived while the subscription was being set up found nothing to stop.
    if (this.stopping) void subscription.stop();
    try {
      await subscription.done;
      await applier.drain();
    } finally {
      this.subscription = undefined;
      this.sampler.stop();
    }
    if (!this.stopping) throw new LostLeadershipError(projection.name);
  }

  /** Builds the code's version of the model beside the stored one and swaps it in; a stop or a lost lock cuts it short. */
  private async rebuildForVersion(stored: Checkpoint): Promise<Checkpoint> {
    this.state = 'rebuilding';
    const abort = new AbortController();
    this.rebuild = abort;
    this.rebuildProgress = 0;
    try {
      return await rebuildStoredVersion(this.options, stored, this.logger, abort.signal, (ratio) => (this.rebuildProgress = ratio));
    } catch (error) {
      if (!abort.signal.aborted) throw error;
      throw this.stopping ? new StopRequestedError() : new LostLeadershipError(this.options.projection.name);
    } finally {
      this.rebuild = undefined;
      this.rebuildProgress = undefined;
    }
  }

  private get park(): boolean {
    return (this.options.poison ?? 'park') === 'park';
  }

  private createApplier(checkpoint: Checkpoint): BatchApplier {
    const applier = new BatchApplier(
      {
        pool: this.options.pool,
        projection: this.options.projection,
        cache: this.cache,
        logger: this.logger,
        upcast: this.options.upcast,
        park: this.park,
        assertActive: () => {
          if (this.stopping) throw new StopRequestedError();
          if (!this.lock.held) throw new LostLeadershipError(this.options.projection.name);
        },
        waitToRetry: (error, attempt) => this.waitToRetry(error, attempt),
        onCommitted: () => {
          if (this.state === 'retrying') this.state = 'active';
        },
        onFailure: () => void this.subscription?.stop(),
      },
      checkpoint,
    );
    this.applier = applier;
    return applier;
  }

  private async waitToRetry(error: unknown, attempt: number): Promise<void> {
    this.state = 'retrying';
    this.lastError = error instanceof Error ? error.message : String(error);
    const delay = backoffDelay(attempt, this.options.retry?.initialMs ?? 100, this.options.retry?.maxMs ?? 5000);
    this.logger.warn({ err: error, projection: this.options.projection.name, attempt, delay_ms: delay }, 'projection retrying');
    await this.sleeper.sleep(delay);
  }

  private fail(error: unknown): unknown {
    this.state = 'failed';
    this.lastError = error instanceof Error ? error.message : String(error);
    this.logger.error({ err: error, projection: this.options.projection.name }, 'projection failed; fix the cause and restart it');
    return error;
  }

  private lockLost(error: Error): void {
    this.logger.warn({ err: error, projection: this.options.projection.name }, 'projection lock lost; stepping down');
    this.rebuild?.abort();
    void this.subscription?.stop();
  }
}

export function startProjection(options: RunnerOptions): ProjectionRunner {
  return new ProjectionRunner(options);
}
