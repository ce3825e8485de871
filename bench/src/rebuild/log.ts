import pg from 'pg';
import { eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import { readModelMigrations } from '@iwf/projector/read-models';
import type { LoadOptions } from '@iwf/projector/verify/testing/load';
import { appendLoad, generateLoad } from '@iwf/projector/verify/testing/load';

/** Orders per tenant for about `events` events (an order is ~9.7 events: ingest, execution, some approvals). */
export function loadFor(events: number, tenants = 8): LoadOptions {
  return { tenants, orders: Math.ceil(events / 9.6 / tenants), seed: 42, from: '2024-05-01T00:00:00.000Z' };
}

/** The same generated log into our store, many streams per statement. */
export async function loadOurs(url: string, load: LoadOptions, onProgress: (events: number) => void): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    await migrateUp(pool, eventStoreMigrations);
    await migrateUp(pool, readModelMigrations);
    return await appendLoad(pool, generateLoad(load), { connections: 3, chunk: 250, onChunk: onProgress });
  } finally {
    await pool.end();
  }
}

/**
 * Emmett's copy of the same log, in log order, in one transaction: its global positions then
 * follow commit order. (Appended concurrently through appendToStream, positions interleave
 * across transactions, and Emmett 0.42's reader, which orders by transaction id but skips
 * positions at or below its checkpoint, silently drops events: found while building this.)
 */
export async function copyLogToEmmett(db: Pick<pg.ClientBase, 'query'>, limit: number | null): Promise<number> {
  // The first `limit` events of the log (all with null), as a prefix keeps every stream's order.
  const prefix = `(SELECT * FROM iwf_events.events ORDER BY tx_id, position LIMIT ${limit === null ? 'ALL' : String(Math.floor(limit))}) AS e`;
  await db.query(`INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived)
    SELECT stream_id, max(stream_revision) + 1, 'emt:default', split_part(stream_id, '-', 1), '{}', false FROM ${prefix} GROUP BY stream_id`);
  const copied = await db.query(`INSERT INTO emt_messages (stream_position, transaction_id, created, is_archived, message_kind, stream_id,
      partition, message_schema_version, message_id, message_type, message_data, message_metadata)
    SELECT stream_revision + 1, pg_current_xact_id(), recorded_at, false, 'E', stream_id, 'emt:default', schema_version::text,
      event_id::text, type, data, metadata
    FROM ${prefix} ORDER BY tx_id, position`);
  return copied.rowCount ?? 0;
}
