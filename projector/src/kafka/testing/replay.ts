import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import { ModelBuilder } from '../../rebuild/builder.js';
import { schemaName } from '../../rebuild/retarget.js';
import { dropSchema, prepareCopies } from '../../rebuild/shadow.js';
import type { Projection } from '../../runner/projection.js';
import type { Difference } from '../../verify/diff.js';
import { diffTable } from '../../verify/diff.js';

export interface ReplayComparison {
  readonly projection: string;
  readonly events: number;
  /** Rows that differ between the live model and the replay. */
  readonly drift: number;
  readonly differences: Difference[];
}

/**
 * What `iwf verify` does for a store-fed model, for a Kafka-fed one at rest: replays the whole
 * log into scratch copies of the projection's tables with its own handler and diffs them with
 * the live tables. (A Kafka-fed model has per-partition offsets, not one log position, so the
 * comparison is made once everything is consumed rather than at a checkpoint.)
 */
export async function compareWithReplay(pool: pg.Pool, store: EventStore, projection: Projection): Promise<ReplayComparison> {
  const tables = projection.tables ?? [];
  const scratch = schemaName('iwf_replay', projection.name, `_${randomBytes(3).toString('hex')}`);
  await prepareCopies(pool, tables, scratch);
  try {
    const builder = new ModelBuilder({ pool, store, projection, schema: scratch, park: true });
    await builder.catchUp();
    const differences: Difference[] = [];
    let drift = 0;
    for (const table of tables) {
      const diff = await diffTable(pool, table, scratch, 20);
      drift += diff.rows;
      differences.push(...diff.differences);
    }
    return { projection: projection.name, events: builder.events, drift, differences };
  } finally {
    await dropSchema(pool, scratch);
  }
}
