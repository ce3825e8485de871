import type pg from 'pg';
import type { Kafka } from 'kafkajs';
import type { EventStore, LogPosition, RecordedEvent, Subscription } from '@iwf/contracts';
import { formatPosition } from '@iwf/contracts';
import { ProjectionLock } from '../../runner/advisory-lock.js';
import { LostLeadershipError, StopRequestedError, backoffDelay, isTransientError } from '../../runner/errors.js';
import type { RunnerLogger } from '../../runner/logger.js';
import { stderrLogger } from '../../runner/logger.js';
import { runWhileLeading } from '../../runner/leader-loop.js';
import { Sleeper } from '../../runner/sleeper.js';
import { readRelayCheckpoint, saveRelayCheckpoint } from '../offsets.js';
import type { KafkaTopics } from '../topics.js';
import { EventPublisher } from './publisher.js';

export interface RelayOptions {
  readonly store: EventStore;
  /** Holds the relay's checkpoint (schema `iwf_kafka`) and its advisory lock. */
  readonly pool: pg.Pool;
  readonly kafka: Kafka;
  readonly topics: KafkaTopics;
  /** Names the checkpoint and the lock; two relays of one name never run at once. */
  readonly name?: string;
  readonly batchSize?: number;
  readonly idempotent?: boolean;
  readonly compression?: 'gzip' | 'none';
  readonly logger?: RunnerLogger;
  readonly lockRetryMs?: number;
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Called after each acknowledged and checkpointed batch (bench, tests). */
  readonly onRelayed?: (events: readonly RecordedEvent[]) => void;
}

export type RelayState = 'starting' | 'standby' | 'active' | 'retrying' | 'stopped' | 'failed';

export interface RelayStatus {
  readonly relay: string;
  readonly state: RelayState;
  readonly position: LogPosition | undefined;
  readonly events_relayed: number;
  readonly last_error: string | undefined;
}

/**
 * Publishes every event of the store to Kafka, in log order, keyed by stream id. A batch's
 * checkpoint is stored only after the brokers acknowledged all of it, and the subscription
 * moves on only after that, so an outage holds the relay at the batch it could not deliver:
 * nothing is skipped, and what was in doubt is sent again (consumers are idempotent by
 * stream revision). One relay per name is active (advisory lock); others stand by.
 */
export class KafkaRelay {
  readonly done: Promise<void>;
  private state: RelayState = 'starting';
  private stopping = false;
  private position: LogPosition | undefined;
  private relayed = 0;
  private lastError: string | undefined;
  private subscription: Subscription | undefined;
  private readonly name: string;
  private readonly lock: ProjectionLock;
  private readonly sleeper = new Sleeper();
  private readonly logger: RunnerLogger;
  private readonly publisher: EventPublisher;

  constructor(private readonly options: RelayOptions) {
    this.name = options.name ?? 'default';
    this.logger = options.logger ?? stderrLogger;
    this.lock = new ProjectionLock(options.pool, `kafka-relay:${this.name}`, (error) => {
      this.logger.warn({ err: error, relay: this.name }, 'relay lock lost; stepping down');
      void this.subscription?.stop();
    });
    this.publisher = new EventPublisher(options.kafka, { topics: options.topics, idempotent: options.idempotent, compression: options.compression });
    this.done = this.run();
  }

  status(): RelayStatus {
    return { relay: this.name, state: this.state, position: this.position, events_relayed: this.relayed, last_error: this.lastError };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wakeAll();
    await this.subscription?.stop();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    try {
      await runWhileLeading({
        lock: this.lock,
        sleeper: this.sleeper,
        lockRetryMs: this.options.lockRetryMs ?? 1_000,
        stopping: () => this.stopping,
        activate: () => this.activate(),
        standby: () => void (this.state = 'standby'),
        endsOnStop: () => true,
        fail: (error) => {
          this.state = 'failed';
          this.lastError = messageOf(error);
          this.logger.error({ err: error, relay: this.name }, 'relay failed');
          return error;
        },
        waitToRetry: (error, attempt) => this.waitToRetry(error, attempt),
      });
      this.state = 'stopped';
    } finally {
      await this.publisher.close().catch(() => undefined);
      await this.lock.release();
    }
  }

  private async activate(): Promise<void> {
    const checkpoint = await readRelayCheckpoint(this.options.pool, this.name);
    this.position = checkpoint.position;
    this.relayed = checkpoint.relayed;
    this.state = 'active';
    this.logger.info({ relay: this.name, position: checkpoint.position && formatPosition(checkpoint.position) }, 'relay active');
    const subscription = this.options.store.subscribe((events) => this.relay(events), {
      after: checkpoint.position,
      batch_size: this.options.batchSize ?? 500,
    });
    this.subscription = subscription;
    if (this.stopping) void subscription.stop();
    try {
      await subscription.done;
    } finally {
      this.subscription = undefined;
    }
    if (!this.stopping) throw new LostLeadershipError(`kafka-relay:${this.name}`);
  }

  /** The subscription's handler: deliver, then checkpoint; retried until both happened or the relay stops. */
  private async relay(events: readonly RecordedEvent[]): Promise<void> {
    const last = events.at(-1);
    if (!last) return;
    await this.untilDone('publish', () => this.publisher.publish(events));
    await this.untilDone('checkpoint', async () => {
      if (!this.lock.held) throw new LostLeadershipError(`kafka-relay:${this.name}`);
      await saveRelayCheckpoint(this.options.pool, this.name, last.position, events.length);
    });
    this.position = last.position;
    this.relayed += events.length;
    if (this.state === 'retrying') this.state = 'active';
    this.options.onRelayed?.(events);
  }

  /** Broker and database outages are waited out; a stop or a lost lock ends the attempt. */
  private async untilDone(what: string, work: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) throw new StopRequestedError();
      try {
        return await work();
      } catch (error) {
        if (error instanceof LostLeadershipError || this.stopping) throw error;
        if (what === 'checkpoint' && !isTransientError(error)) throw error;
        this.logger.warn({ err: error, relay: this.name, attempt }, `relay ${what} failed; retrying`);
        await this.waitToRetry(error, attempt);
      }
    }
  }

  private async waitToRetry(error: unknown, attempt: number): Promise<void> {
    this.state = 'retrying';
    this.lastError = messageOf(error);
    await this.sleeper.sleep(backoffDelay(attempt, this.options.retry?.initialMs ?? 100, this.options.retry?.maxMs ?? 2_000));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
