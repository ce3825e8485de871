import type { Event, ReadEvent } from '@event-driven-io/emmett';
import type { PostgresReadEventMetadata } from '@event-driven-io/emmett-postgresql';
import { postgreSQLProjection, rebuildPostgreSQLProjections } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import type { EventMetadata, RecordedEvent } from '@iwf/contracts';
import { EXECUTION_EVENT_TYPES } from '@iwf/contracts';
import { retargetClient } from '@iwf/projector/rebuild/retarget';
import { addSecondaryIndexes, prepareCopies } from '@iwf/projector/rebuild/shadow';
import type { Projection } from '@iwf/projector/runner/projection';

/**
 * Emmett's projection rebuild (`rebuildPostgreSQLProjections`: truncate, then replay its own
 * log from the start) driving the same handler as ours, so the read model is identical and
 * the difference is the rebuild machinery. The handler writes copies of the model's tables
 * in a schema of their own.
 */
export const EMMETT_SCHEMA = 'emmett_read';

type Message = ReadEvent<Event, PostgresReadEventMetadata>;

/** Emmett's message as the recorded event our handlers read. Emmett counts stream positions from 1. */
function toRecorded(message: Message): RecordedEvent {
  const metadata = message.metadata as PostgresReadEventMetadata & EventMetadata & { messageId: string; createdAt?: Date };
  const position = BigInt(metadata.globalPosition);
  return {
    event_id: metadata.messageId,
    stream_id: metadata.streamName,
    stream_revision: Number(metadata.streamPosition) - 1,
    position: { commit: position, prepare: position },
    type: message.type,
    schema_version: 1,
    data: message.data,
    metadata,
    recorded_at: metadata.createdAt ?? new Date(0),
  };
}

// Emmett's driver installs process-wide parsers (int8 as BigInt, its own JSON); the shared
// handler reads with the parsers it was written for, passed per query.
const OWN_TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => {
    if (oid === 20) return (value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value);
    if (oid === 114 || oid === 3802) return (value) => JSON.parse(value) as unknown;
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

function withOwnTypes(client: pg.PoolClient): pg.PoolClient {
  const query = (config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> =>
    client.query({ ...(typeof config === 'string' ? { text: config } : config), ...(values ? { values } : {}), types: OWN_TYPES });
  return new Proxy(client, { get: (target, property) => (property === 'query' ? query : (Reflect.get(target, property, target) as unknown)) });
}

export async function rebuildWithEmmett(connectionString: string, pool: pg.Pool, projection: Projection, batchSize: number): Promise<void> {
  const tables = projection.tables ?? [];
  let failure: unknown;
  await prepareCopies(pool, tables, EMMETT_SCHEMA);
  await addSecondaryIndexes(pool, tables, EMMETT_SCHEMA);
  const definition = postgreSQLProjection({
    name: `bench_${projection.name}`,
    canHandle: [...EXECUTION_EVENT_TYPES],
    truncate: async (context) => {
      await (context.connection.client as pg.PoolClient).query(`TRUNCATE ${tables.map((table) => `${EMMETT_SCHEMA}.${table}`).join(', ')}`);
    },
    handle: async (events, context) => {
      try {
        const client = withOwnTypes(context.connection.client as pg.PoolClient);
        await projection.apply(retargetClient(client, tables, EMMETT_SCHEMA), events.map(toRecorded));
      } catch (error) {
        failure ??= error;
        throw error;
      }
    },
  });
  const consumer = rebuildPostgreSQLProjections({ connectionString, projections: [definition], pulling: { batchSize, pullingFrequencyInMs: 0 } });
  try {
    await consumer.start();
  } finally {
    await consumer.close();
  }
  // The consumer settles its processors' batches and stops on a failure without rethrowing it.
  if (failure instanceof Error) throw failure;
  if (failure !== undefined) throw new Error('the Emmett projection failed');
}
