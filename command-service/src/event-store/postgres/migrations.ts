import type { MigrationSet } from '@iwf/platform/db/migrations';
import { appendFunctionMigration } from './schema/append-function.js';
import { appendBatchMigration } from './schema/append-batch.js';
import { appendManyMigration } from './schema/append-many.js';
import { eventRowsMigration } from './schema/event-rows.js';
import { jsonAsSentMigration } from './schema/json-as-sent.js';
import { tablesMigration } from './schema/tables.js';
import { txOffsetMigration } from './schema/tx-offset.js';

export const EVENT_STORE_SCHEMA = 'iwf_events';

/** The PostgreSQL event store's schema; apply with `migrateUp(pool, eventStoreMigrations)`. */
export const eventStoreMigrations: MigrationSet = {
  schema: EVENT_STORE_SCHEMA,
  migrations: [tablesMigration, appendFunctionMigration, txOffsetMigration, appendManyMigration, eventRowsMigration, appendBatchMigration,
    jsonAsSentMigration],
};
