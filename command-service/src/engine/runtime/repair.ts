import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore, LogPosition, RecordedEvent, Subscription } from '@iwf/contracts';
import { parseStreamId } from '@iwf/contracts';
import type { RepairHandlers } from './repair-handlers.js';

export interface RepairDeps {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly handlers: RepairHandlers;
  /** Events younger than this are left to the process that appended them (it syncs right after). */
  readonly graceMs: number;
  /** How often a standby tries to become the active instance. */
  readonly retryMs: number;
}

const NAME = 'engine-repair';
// First key of the two-key advisory lock; the second is a hash of NAME.
const LOCK_NAMESPACE = 0x1f0_e1;

/**
 * The engine's catch-up subscription, from its own checkpoint. Every engine index (trigger
 * index, execution work rows, approval timers and follow-ups, rule index) is written right
 * after the append it follows from; this re-derives, from the log, whatever a crash between
 * the two left out. One instance is active (advisory lock); the others stand by.
 */
export class RepairSubscription {
  private stopped = false;
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: RepairDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.whileActive();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'engine repair subscription stopped; retrying');
      }
      if (!this.stopped) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.deps.retryMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async whileActive(): Promise<void> {
    const client = await this.deps.pool.connect();
    let lost: Error | undefined;
    const onError = (error: Error): void => {
      lost = error;
      void this.subscription?.stop();
    };
    client.on('error', onError);
    try {
      const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [LOCK_NAMESPACE, NAME]);
      if (locked.rows[0]?.locked !== true || this.stopped) return;
      const after = await this.checkpoint();
      this.subscription = this.deps.store.subscribe((events) => this.handle(events), { after, batch_size: 1_000 });
      if (this.stopped) await this.subscription.stop();
      await this.subscription.done;
      if (lost) throw lost;
    } finally {
      this.subscription = undefined;
      client.off('error', onError);
      // Ending the session releases the lock, whether or not it is still healthy.
      client.release(true);
    }
  }

  private async handle(events: readonly RecordedEvent[]): Promise<void> {
    const last = events.at(-1);
    if (last === undefined) return;
    const age = this.deps.clock().getTime() - last.recorded_at.getTime();
    if (age < this.deps.graceMs) await new Promise((resolve) => setTimeout(resolve, this.deps.graceMs - age));
    const byCategory = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const category = parseStreamId(event.stream_id)?.category;
      if (category === undefined) continue;
      byCategory.set(category, [...(byCategory.get(category) ?? []), event]);
    }
    const { handlers } = this.deps;
    await handlers.workflows(byCategory.get('workflow') ?? []);
    await handlers.rules(byCategory.get('rule') ?? []);
    await handlers.executions(byCategory.get('execution') ?? []);
    await handlers.approvals(byCategory.get('approval') ?? []);
    await handlers.ingests(byCategory.get('ingest') ?? []);
    await this.save(last.position);
  }

  private async checkpoint(): Promise<LogPosition | undefined> {
    const result = await this.deps.pool.query<{ commit_pos: string; prepare_pos: string }>(
      'SELECT commit_pos, prepare_pos FROM iwf_command.engine_checkpoints WHERE name = $1',
      [NAME],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : { commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) };
  }

  private async save(position: LogPosition): Promise<void> {
    await this.deps.pool.query(
      `INSERT INTO iwf_command.engine_checkpoints (name, commit_pos, prepare_pos) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET commit_pos = EXCLUDED.commit_pos, prepare_pos = EXCLUDED.prepare_pos, updated_at = now()`,
      [NAME, position.commit.toString(), position.prepare.toString()],
    );
  }
}
