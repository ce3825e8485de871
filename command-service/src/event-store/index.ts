export { createPostgresEventStore } from './postgres/store.js';
export type { PostgresEventStoreOptions, StoreTiming } from './postgres/store.js';
export { eventStoreMigrations, EVENT_STORE_SCHEMA } from './postgres/migrations.js';
export { verifyStreamChain, verifyAllStreamChains, genesisHash, nextHash, toLink, LINK_COLUMNS } from './postgres/chain.js';
export type { ChainLink, ChainProblem, ChainVerdict, LinkRow } from './postgres/chain.js';
export type { SubscriptionTiming } from './postgres/subscription.js';
