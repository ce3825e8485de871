import { createHash } from 'node:crypto';
import { endPool } from '@iwf/command-service/event-store/postgres/testing';
import pg from 'pg';
import type { BenchEvent } from '../workload.js';
import type { BenchSystem } from './system.js';

// The same columns, keys and indexes as iwf_events.events, without any check or trigger.
const TABLE = `
  CREATE TABLE ceiling_events (
    position bigint GENERATED ALWAYS AS IDENTITY,
    tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id text NOT NULL,
    stream_revision bigint NOT NULL,
    event_id uuid NOT NULL,
    type text NOT NULL,
    schema_version integer NOT NULL DEFAULT 1,
    data json NOT NULL,
    metadata json NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    hash bytea NOT NULL,
    PRIMARY KEY (tx_id, position),
    UNIQUE (event_id),
    UNIQUE (stream_id, stream_revision)
  )`;

const COLUMNS = 7;

/** `INSERT ... VALUES (...), (...)` for a batch of `rows` events. */
function insertStatement(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, row) => {
    const base = row * COLUMNS;
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7})`;
  });
  return `INSERT INTO ceiling_events (stream_id, stream_revision, event_id, type, data, metadata, hash) VALUES ${tuples.join(', ')}`;
}

function rowValues(stream_id: string, revision: number, event: BenchEvent): unknown[] {
  const data = JSON.stringify(event.data);
  const metadata = JSON.stringify(event.metadata);
  const hash = createHash('sha256').update(data).update(metadata).digest();
  return [stream_id, revision, event.event_id, event.type, data, metadata, hash];
}

export const ceiling: BenchSystem = {
  name: 'ceiling',
  description: 'plain multi-row INSERT (prepared, autocommit) of the same rows into an equivalent table',
  async open(databaseUrl, writers) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: writers });
    await pool.query(TABLE);
    return {
      async append(slot, events) {
        const values = events.flatMap((event, n) => rowValues(slot.stream_id, slot.events_before + n, event));
        await pool.query({ name: `ceiling_insert_${events.length}`, text: insertStatement(events.length), values });
      },
      close: () => endPool(pool),
    };
  },
};
