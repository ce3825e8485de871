import type { EventStore, NewEvent } from '@iwf/contracts';
import { afterAll, beforeAll, describe } from 'vitest';
import { appendContract } from './contract/append.js';
import { concurrencyContract } from './contract/concurrency.js';
import { guardContract } from './contract/guards.js';
import { idempotencyContract } from './contract/idempotency.js';
import { readContract } from './contract/reads.js';
import { subscriptionContract } from './contract/subscription.js';

/** A transaction holding an append open; other appends commit meanwhile. */
export interface HeldAppend {
  commit(): Promise<void>;
}

/** What a hash-chain check reports; a broken chain names its stream and first bad revision. */
export type ChainCheck =
  | { readonly ok: true; readonly stream_id: string }
  | { readonly ok: false; readonly stream_id: string; readonly revision: number };

/** Abilities only some adapters have; a test whose hook is missing is skipped, not passed. */
export interface EventStoreContractHooks {
  /** Appends in a transaction that stays open until `commit()` (the late-commit case). */
  holdOpenAppend?(stream_id: string, events: readonly NewEvent[]): Promise<HeldAppend>;
  /** Tries to change or remove a stored event behind the store's back; must reject. */
  rewriteStoredEvent?(kind: 'update' | 'delete' | 'truncate', stream_id: string, revision: number): Promise<void>;
  /** Changes a stored event's data past every guard, as an intruder with full rights would. */
  tamperWithEvent?(stream_id: string, revision: number, data: unknown): Promise<void>;
  verifyChain?(stream_id: string): Promise<ChainCheck>;
}

export interface EventStoreContractFixture {
  /** A ready store. Tests share it and keep apart by using their own streams and event types. */
  readonly store: EventStore;
  readonly hooks: EventStoreContractHooks;
  teardown(): Promise<void>;
}

export type FixtureAccess = () => EventStoreContractFixture;

/** The behaviour every event store adapter must show. Call it from the adapter's spec file. */
export function describeEventStoreContract(name: string, setup: () => Promise<EventStoreContractFixture>): void {
  describe(`event store contract: ${name}`, () => {
    let fixture: EventStoreContractFixture | undefined;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.teardown();
    });
    const access: FixtureAccess = () => {
      if (!fixture) throw new Error('the contract fixture was not set up');
      return fixture;
    };
    appendContract(access);
    readContract(access);
    idempotencyContract(access);
    concurrencyContract(access);
    subscriptionContract(access);
    guardContract(access);
  });
}
