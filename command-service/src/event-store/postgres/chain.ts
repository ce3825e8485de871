import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Recomputes the per-stream hash chain written by `iwf_events.append` (the byte layout is
 * documented there) independently of the database, so a changed row, a changed head or a
 * gap shows up with its stream and revision.
 */

export interface ChainLink {
  readonly stream_revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  /** `data::text` and `metadata::text`: the JSON as sent (PostgreSQL's jsonb rendering for events stored before migration 7). */
  readonly data_text: string;
  readonly metadata_text: string;
  /** recorded_at in microseconds since the Unix epoch: `(extract(epoch FROM recorded_at) * 1000000)::bigint`. */
  readonly recorded_micros: bigint;
}

export type ChainProblem = 'hash_mismatch' | 'revision_gap' | 'head_mismatch';

export type ChainVerdict =
  | { readonly stream_id: string; readonly ok: true; readonly events: number }
  | { readonly stream_id: string; readonly ok: false; readonly revision: number; readonly problem: ChainProblem };

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

const NUL = Buffer.from([0]);
// The chain hashes timestamptz_send(recorded_at): microseconds since PostgreSQL's epoch, 2000-01-01 UTC.
const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;
const PAGE_SIZE = 1_000;

export function genesisHash(stream_id: string): Buffer {
  return createHash('sha256').update(stream_id, 'utf8').digest();
}

export function nextHash(previous: Buffer, link: ChainLink): Buffer {
  const numbers = Buffer.alloc(8 + 4 + 8);
  numbers.writeBigInt64BE(BigInt(link.stream_revision), 0);
  numbers.writeInt32BE(link.schema_version, 8);
  numbers.writeBigInt64BE(link.recorded_micros - POSTGRES_EPOCH_MICROS, 12);
  return createHash('sha256')
    .update(previous)
    .update(numbers.subarray(0, 8))
    .update(Buffer.from(link.event_id.replaceAll('-', ''), 'hex'))
    .update(link.type, 'utf8')
    .update(NUL)
    .update(numbers.subarray(8, 12))
    .update(link.data_text, 'utf8')
    .update(NUL)
    .update(link.metadata_text, 'utf8')
    .update(NUL)
    .update(numbers.subarray(12, 20))
    .digest();
}

/** An event's columns as `nextHash` takes them (`LINK_COLUMNS` selects them from `iwf_events.events e`), and its stored hash in hex. */
export interface LinkRow {
  readonly stream_revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data_text: string;
  readonly metadata_text: string;
  readonly recorded_micros: string;
  readonly hash: string;
}

export const LINK_COLUMNS = `e.stream_revision::text AS stream_revision, e.event_id::text AS event_id, e.type, e.schema_version,
    e.data::text AS data_text, e.metadata::text AS metadata_text,
    (extract(epoch FROM e.recorded_at) * 1000000)::bigint::text AS recorded_micros, encode(e.hash, 'hex') AS hash`;

const READ_LINKS = `SELECT ${LINK_COLUMNS}
  FROM iwf_events.events e
  WHERE e.stream_id = $1 AND e.stream_revision > $2::bigint AND e.stream_revision <= $3::bigint
  ORDER BY e.stream_revision LIMIT ${PAGE_SIZE}`;

/** Verifies one stream from its first event up to the head recorded when the check began. */
export async function verifyStreamChain(db: Queryable, stream_id: string): Promise<ChainVerdict> {
  const heads = await db.query<{ last_revision: string; last_hash: string }>(
    `SELECT last_revision::text AS last_revision, encode(last_hash, 'hex') AS last_hash FROM iwf_events.streams WHERE stream_id = $1`,
    [stream_id],
  );
  const head = heads.rows[0];
  const lastRevision = head ? Number(head.last_revision) : -1;
  let hash = genesisHash(stream_id);
  let revision = -1;
  for (;;) {
    const page = await db.query<LinkRow>(READ_LINKS, [stream_id, revision, Math.max(lastRevision, 0)]);
    for (const row of page.rows) {
      const link = toLink(row);
      if (link.stream_revision !== revision + 1) return broken(stream_id, revision + 1, 'revision_gap');
      hash = nextHash(hash, link);
      revision = link.stream_revision;
      if (hash.toString('hex') !== row.hash) return broken(stream_id, revision, 'hash_mismatch');
    }
    if (page.rows.length < PAGE_SIZE) break;
  }
  if (!head) return revision < 0 ? { stream_id, ok: true, events: 0 } : broken(stream_id, revision, 'head_mismatch');
  if (revision < lastRevision) return broken(stream_id, revision + 1, 'revision_gap');
  if (hash.toString('hex') !== head.last_hash) return broken(stream_id, lastRevision, 'head_mismatch');
  return { stream_id, ok: true, events: revision + 1 };
}

/** Verifies every stream in stream id order; yields one verdict per stream (for progress and reports). */
export async function* verifyAllStreamChains(db: Queryable, after = ''): AsyncGenerator<ChainVerdict> {
  let cursor = after;
  for (;;) {
    const streams = await db.query<{ stream_id: string }>(
      'SELECT stream_id FROM iwf_events.streams WHERE stream_id > $1 ORDER BY stream_id LIMIT 500',
      [cursor],
    );
    for (const { stream_id } of streams.rows) yield await verifyStreamChain(db, stream_id);
    const last = streams.rows.at(-1);
    if (!last) return;
    cursor = last.stream_id;
  }
}

export function toLink(row: LinkRow): ChainLink {
  return {
    stream_revision: Number(row.stream_revision),
    event_id: row.event_id,
    type: row.type,
    schema_version: row.schema_version,
    data_text: row.data_text,
    metadata_text: row.metadata_text,
    recorded_micros: BigInt(row.recorded_micros),
  };
}

function broken(stream_id: string, revision: number, problem: ChainProblem): ChainVerdict {
  return { stream_id, ok: false, revision, problem };
}
