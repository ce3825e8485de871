import type { BenchEvent, StreamSlot } from '../workload.js';

/** A store under test, opened on a fresh database with one connection per writer. */
export interface OpenSystem {
  append(slot: StreamSlot, events: readonly BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}

export interface BenchSystem {
  readonly name: SystemName;
  readonly description: string;
  open(databaseUrl: string, writers: number): Promise<OpenSystem>;
}

export type SystemName = 'ours' | 'emmett' | 'ceiling';
