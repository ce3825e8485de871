/**
 * The event store port. Adapters (PostgreSQL, KurrentDB) implement it and must pass the
 * shared contract suite. No I/O here: only the shapes every adapter and caller agree on.
 */

/** Who, on whose behalf, and why an event was appended. Stored with every event. */
export interface EventMetadata {
  readonly tenant: string;
  readonly actor: string;
  readonly correlation_id: string;
  readonly causation_id?: string | undefined;
  readonly traceparent?: string | undefined;
  readonly [key: string]: unknown;
}

/** An event the caller wants appended. Ids come from the caller so retries stay idempotent. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly event_id: string;
  readonly type: Type;
  readonly schema_version?: number | undefined;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * A position in the global log. Opaque to clients (see `formatPosition`); adapters compare
 * positions with `comparePositions`. For PostgreSQL it is (transaction id, sequence number):
 * events are read in that order, below the visibility horizon, so none is ever skipped.
 */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly event_id: string;
  readonly stream_id: string;
  /** 0-based revision of the event within its stream. */
  readonly stream_revision: number;
  readonly position: LogPosition;
  readonly type: Type;
  readonly schema_version: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly recorded_at: Date;
}

/**
 * Expected state of the stream before an append:
 * - 'any': no check;
 * - 'no_stream': the stream must not exist;
 * - 'exists': the stream must have at least one event;
 * - a number: the revision of the stream's last event must equal it.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'exists' | number;

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly next_revision: number;
  /** Position of the last event appended (or of the original events, for a repeated append). */
  readonly position: LogPosition;
  /** False when every event id was already in the stream and nothing new was written. */
  readonly appended: boolean;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive revision to start from: forwards defaults to 0, backwards to the end. */
  readonly from_revision?: number;
  /** Inclusive upper revision bound for forwards reads ("state at revision N"). */
  readonly to_revision?: number;
  readonly max_count?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start of the log. */
  readonly after?: LogPosition | undefined;
  readonly max_count?: number;
  /** Only events whose type starts with one of these prefixes. */
  readonly type_prefixes?: readonly string[];
}

export interface SubscriptionOptions extends ReadAllOptions {
  /** Events handed to the handler per call. */
  readonly batch_size?: number;
}

/** Handler of a subscription batch. The subscription advances only after it resolves. */
export type BatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export interface Subscription {
  /** Resolves once the subscription has stopped; rejects if the handler failed. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface EventStore {
  append(stream_id: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  readStream(stream_id: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Reads the log in order, never returning an event whose transaction may still commit before an earlier one. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The position of the newest event that readAll can deliver now, or undefined for an empty log. */
  headPosition(): Promise<LogPosition | undefined>;
  subscribe(handler: BatchHandler, options?: SubscriptionOptions): Subscription;
  close(): Promise<void>;
}
