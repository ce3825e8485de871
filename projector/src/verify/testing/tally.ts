import type pg from 'pg';
import type { Projection } from '../../runner/projection.js';

/**
 * A test-only projection with no idempotency guard at all: it counts how many times each
 * event position was applied. After any number of crashes every count must be exactly 1,
 * which only the runner's checkpoint (committed with the batch) can guarantee.
 */
export const tallyProjection: Projection = {
  name: 'tally',
  version: 1,
  cacheKinds: [],
  tables: ['event_tally'],
  async apply(tx, events) {
    await tx.query(
      `INSERT INTO iwf_read.event_tally (commit_pos, prepare_pos, applied)
       SELECT c, p, 1 FROM unnest($1::bigint[], $2::bigint[]) AS t(c, p)
       ON CONFLICT (commit_pos, prepare_pos) DO UPDATE SET applied = iwf_read.event_tally.applied + 1`,
      [events.map((event) => event.position.commit.toString()), events.map((event) => event.position.prepare.toString())],
    );
    return [];
  },
};

export async function createTallyTable(db: Pick<pg.ClientBase, 'query'>): Promise<void> {
  await db.query('CREATE TABLE iwf_read.event_tally (commit_pos bigint, prepare_pos bigint, applied integer NOT NULL, PRIMARY KEY (commit_pos, prepare_pos))');
}

export async function readTally(db: Pick<pg.ClientBase, 'query'>): Promise<{ events: number; max: number; min: number }> {
  const result = await db.query<{ events: number; max: number | null; min: number | null }>(
    'SELECT count(*)::int AS events, max(applied) AS max, min(applied) AS min FROM iwf_read.event_tally',
  );
  const row = result.rows[0]!;
  return { events: row.events, max: row.max ?? 0, min: row.min ?? 0 };
}
