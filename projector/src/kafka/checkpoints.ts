import type pg from 'pg';
import type { LogPosition } from '@iwf/contracts';
import { PROJECTION_CHANNEL } from '../runner/applier.js';
import { storedPosition } from '../runner/checkpoints.js';
import type { Projection } from '../runner/projection.js';

type Db = Pick<pg.ClientBase, 'query'>;

/**
 * A Kafka-fed projection's checkpoint (`iwf_read.projection_checkpoints`) means what it means
 * for a store-fed one: every event at or below its position is in the model. The group's
 * watermark raises it; a rebuild (or a store-fed runner before the switch to Kafka) may have
 * put it higher. Consumers skip events at or below it.
 *
 * This share-locks the projections' checkpoint rows for the rest of a partition batch's
 * transaction and returns their positions and versions. Batches of different partitions share
 * the lock; a rebuild's swap and `iwf parked replay` lock the row for update, so they wait for
 * the batches in flight and the next batches wait for them. Raising the position (a non-key update) does not conflict.
 * Rows that are missing are created first.
 */
export async function shareCheckpoints(tx: Db, projections: readonly Projection[]): Promise<Map<string, SharedCheckpoint>> {
  const names = projections.map((projection) => projection.name);
  let rows = await selectShared(tx, names);
  if (rows.length < names.length) {
    await createCheckpoints(tx, projections);
    rows = await selectShared(tx, names);
  }
  return new Map(rows.map((row) => [row.projection, { position: storedPosition(row.commit_pos, row.prepare_pos), version: row.version }]));
}

export interface SharedCheckpoint {
  readonly position: LogPosition | undefined;
  /** The version of the model stored; a member whose code has another must not apply to it. */
  readonly version: number;
}

/** Creates the checkpoint rows that are missing, at the start of the log and the code's version. */
export async function createCheckpoints(db: Db, projections: readonly Projection[]): Promise<void> {
  await db.query(
    `INSERT INTO iwf_read.projection_checkpoints (projection, version, commit_pos, prepare_pos)
     SELECT name, version, 0, 0 FROM unnest($1::text[], $2::integer[]) AS p(name, version)
     ON CONFLICT (projection) DO NOTHING`,
    [projections.map((projection) => projection.name), projections.map((projection) => projection.version)],
  );
}

/**
 * Raises the named checkpoints that are below `position` to it, rows locked in name order (two
 * members raising at once cannot deadlock), and notifies readers waiting for a position.
 * Returns the projections raised.
 */
export async function raiseCheckpoints(db: Db, names: readonly string[], position: LogPosition): Promise<string[]> {
  const result = await db.query<{ projection: string }>(
    `WITH below AS (
       SELECT projection FROM iwf_read.projection_checkpoints
       WHERE projection = ANY($1::text[]) AND (commit_pos, prepare_pos) < ($2::bigint, $3::bigint)
       ORDER BY projection FOR NO KEY UPDATE
     ), raised AS (
       UPDATE iwf_read.projection_checkpoints c SET commit_pos = $2, prepare_pos = $3, updated_at = now()
       FROM below WHERE c.projection = below.projection AND (c.commit_pos, c.prepare_pos) < ($2::bigint, $3::bigint)
       RETURNING c.projection
     )
     SELECT projection, pg_notify($4, projection) FROM raised`,
    [names, position.commit.toString(), position.prepare.toString(), PROJECTION_CHANNEL],
  );
  return result.rows.map((row) => row.projection);
}

/** A model stored at another version than the code's. */
export interface StaleModel {
  readonly projection: string;
  readonly stored: number;
  readonly code: number;
}

/** The projections whose stored version (`storedVersion`, undefined for no checkpoint yet) is not the code's. */
export function staleModels(projections: readonly Projection[], storedVersion: (projection: string) => number | undefined): StaleModel[] {
  return projections.flatMap((projection) => {
    const stored = storedVersion(projection.name);
    return stored === undefined || stored === projection.version ? [] : [{ projection: projection.name, stored, code: projection.version }];
  });
}

/** Projections whose checkpoint names another version than the code's, with the stored one. */
export async function otherVersions(db: Db, projections: readonly Projection[]): Promise<StaleModel[]> {
  const result = await db.query<{ projection: string; version: number }>(
    'SELECT projection, version FROM iwf_read.projection_checkpoints WHERE projection = ANY($1::text[])',
    [projections.map((projection) => projection.name)],
  );
  const stored = new Map(result.rows.map((row) => [row.projection, row.version]));
  return staleModels(projections, (name) => stored.get(name));
}

interface Row {
  readonly projection: string;
  readonly version: number;
  readonly commit_pos: string;
  readonly prepare_pos: string;
}

async function selectShared(tx: Db, names: readonly string[]): Promise<Row[]> {
  const result = await tx.query<Row>(
    `SELECT projection, version, commit_pos::text, prepare_pos::text FROM iwf_read.projection_checkpoints
     WHERE projection = ANY($1::text[]) ORDER BY projection FOR KEY SHARE`,
    [names],
  );
  return result.rows;
}
