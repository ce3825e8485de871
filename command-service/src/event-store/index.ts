export { createPostgresEventStore } from './postgres/store.js';
export type { PostgresEventStoreOptions, StoreTiming } from './postgres/store.js';
export { eventStoreMigrations, EVENT_STORE_SCHEMA } from './postgres/migrations.js';
export { verifyStreamChain, verifyAllStreamChains, genesisHash, nextHash } from './postgres/chain.js';
export type { ChainLink, ChainProblem, ChainVerdict } from './postgres/chain.js';
export type { SubscriptionTiming } from './postgres/subscription.js';
