import type pg from 'pg';
import type { EventStore, LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions, upcastRecorded } from '@iwf/contracts';
import type { HeldStreams, ParkedEvent, Upcast } from '../parking/isolate.js';
import { applyIsolated, holdBack, upcastNamed } from '../parking/isolate.js';
import { isTransientError } from '../runner/errors.js';
import type { Projection } from '../runner/projection.js';
import { retargetClient } from './retarget.js';

export interface BuilderOptions {
  readonly pool: pg.Pool;
  readonly store: Pick<EventStore, 'readAll' | 'headPosition'>;
  readonly projection: Projection;
  /** Schema holding the copies of the projection's tables. */
  readonly schema: string;
  readonly batchSize?: number;
  readonly upcast?: Upcast;
  /** Park events the handler cannot apply (as the live runner does); otherwise fail on them. */
  readonly park?: boolean;
  readonly signal?: AbortSignal;
  /** Called after each batch with the events replayed so far. */
  readonly onBatch?: (events: number) => void;
}

export interface BuilderMark {
  readonly position: LogPosition | undefined;
  readonly events: number;
  readonly parked: number;
  readonly held: HeldStreams;
}

/**
 * Replays the log into copies of a projection's tables with the projection's own handler.
 * Pages are read ahead while the previous one applies; each page commits on its own, with
 * synchronous_commit off (a crash loses only a copy that is rebuilt anyway).
 */
export class ModelBuilder {
  position: LogPosition | undefined;
  events = 0;
  parked: ParkedEvent[] = [];
  private held: HeldStreams = new Map();
  private readonly batchSize: number;
  private readonly tables: readonly string[];

  constructor(private readonly options: BuilderOptions) {
    this.batchSize = options.batchSize ?? 2_000;
    this.tables = options.projection.tables ?? [];
  }

  /** Replays up to `until` (inclusive), or up to the head of the log as it is now. */
  async catchUp(until?: LogPosition): Promise<void> {
    await this.replay(until, (events) => this.inOwnTransaction(events));
  }

  /**
   * Replays up to `until` inside the caller's transaction (the last step of a swap or a verify).
   * With `include`, only the events it accepts are applied (and counted); the position still
   * moves over the others.
   */
  async catchUpIn(tx: pg.PoolClient, until: LogPosition | undefined, include?: (event: RecordedEvent) => boolean): Promise<void> {
    await this.replay(until, (events) => this.inSavepoint(tx, events), include);
  }

  mark(): BuilderMark {
    return { position: this.position, events: this.events, parked: this.parked.length, held: new Map(this.held) };
  }

  /** Forgets what was replayed after the mark (its transaction rolled back). */
  reset(mark: BuilderMark): void {
    this.position = mark.position;
    this.events = mark.events;
    this.parked = this.parked.slice(0, mark.parked);
    this.held = new Map(mark.held);
  }

  private async replay(until: LogPosition | undefined, apply: (events: readonly RecordedEvent[]) => Promise<void>, include?: (event: RecordedEvent) => boolean): Promise<void> {
    const target = until ?? (await this.options.store.headPosition());
    if (!target || (this.position && comparePositions(this.position, target) >= 0)) return;
    let page = this.read(this.position);
    for (;;) {
      this.options.signal?.throwIfAborted();
      const events = (await page).filter((event) => comparePositions(event.position, target) <= 0);
      const last = events.at(-1);
      if (!last) return;
      const reachedTarget = comparePositions(last.position, target) >= 0;
      if (!reachedTarget) page = this.read(last.position);
      const chosen = include ? events.filter(include) : events;
      if (chosen.length > 0) await apply(chosen);
      this.position = last.position;
      this.events += chosen.length;
      this.options.onBatch?.(this.events);
      if (reachedTarget) return;
    }
  }

  private read(after: LogPosition | undefined): Promise<RecordedEvent[]> {
    const page = this.options.store.readAll({ after, max_count: this.batchSize });
    // Read ahead: a failure surfaces when the page is awaited, not as an unhandled rejection.
    page.catch(() => undefined);
    return page;
  }

  private async inOwnTransaction(events: readonly RecordedEvent[]): Promise<void> {
    const client = await this.options.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = off');
      await this.inSavepoint(client, events);
      await client.query('COMMIT');
    } catch (error) {
      broken = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken !== undefined && isTransientError(broken) ? (broken as Error) : undefined);
    }
  }

  /** The whole page at once; if it fails, event by event so only the bad events are parked. */
  private async inSavepoint(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const { projection } = this.options;
    const upcast = this.options.upcast ?? upcastRecorded;
    const target = retargetClient(tx, this.tables, this.options.schema);
    const { apply, parked } = holdBack(events, this.held);
    await tx.query('SAVEPOINT iwf_page');
    try {
      if (apply.length > 0) await projection.apply(target, apply.map((event) => upcastNamed(projection, event, upcast)));
      this.parked.push(...parked);
      return;
    } catch (error) {
      if (isTransientError(error) || this.options.park === false) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT iwf_page');
    }
    const isolated = await applyIsolated(target, projection, apply, this.held, upcast);
    this.parked.push(...parked, ...isolated.parked);
  }
}
