import type pg from 'pg';
import type { ChainProblem, LinkRow } from '@iwf/command-service/event-store/index';
import { LINK_COLUMNS, genesisHash, nextHash, toLink } from '@iwf/command-service/event-store/index';
import { cursorPages } from './cursor.js';

/** The first event of a stream whose hash chain does not hold, named by stream and revision. */
export interface BrokenChain {
  readonly stream_id: string;
  readonly revision: number;
  readonly problem: ChainProblem;
}

export interface ChainReport {
  readonly streams: number;
  readonly events: number;
  readonly broken: BrokenChain[];
}

interface StreamLinkRow extends LinkRow {
  readonly stream_id: string;
  readonly last_revision: string | null;
  readonly last_hash: string | null;
}

// Every event beside its stream's head, stream by stream: one pass over the (stream_id,
// stream_revision) index, which a cursor walks without sorting.
const LINKS = `SELECT e.stream_id, ${LINK_COLUMNS},
    s.last_revision::text AS last_revision, encode(s.last_hash, 'hex') AS last_hash
  FROM iwf_events.events e LEFT JOIN iwf_events.streams s ON s.stream_id = e.stream_id
  WHERE $1::text IS NULL OR e.stream_id = $1
  ORDER BY e.stream_id, e.stream_revision`;

// Heads whose stream has no events left at all: every event of it was removed.
const EMPTIED = `SELECT s.stream_id FROM iwf_events.streams s
  WHERE ($1::text IS NULL OR s.stream_id = $1) AND NOT EXISTS (SELECT 1 FROM iwf_events.events e WHERE e.stream_id = s.stream_id)
  ORDER BY s.stream_id`;

/**
 * Recomputes every stream's hash chain (the layout `iwf_events.append` writes) in one
 * streaming pass, and names the first bad event of each broken stream.
 */
export async function verifyChains(pool: pg.Pool, options: { stream?: string; onProgress?: (events: number) => void } = {}): Promise<ChainReport> {
  const broken: BrokenChain[] = [];
  let streams = 0;
  let events = 0;
  let current: StreamCheck | undefined;
  const finish = (): void => {
    const verdict = current?.finish();
    if (verdict) broken.push(verdict);
  };
  for await (const page of cursorPages<StreamLinkRow>(pool, LINKS, [options.stream ?? null], 2_000)) {
    for (const row of page) {
      if (current?.stream_id !== row.stream_id) {
        finish();
        current = new StreamCheck(row.stream_id, row.last_revision, row.last_hash);
        streams++;
      }
      current.add(row);
      events++;
    }
    options.onProgress?.(events);
  }
  finish();
  const emptied = await pool.query<{ stream_id: string }>(EMPTIED, [options.stream ?? null]);
  for (const { stream_id } of emptied.rows) broken.push({ stream_id, revision: 0, problem: 'revision_gap' });
  return { streams: streams + emptied.rows.length, events, broken };
}

class StreamCheck {
  private hash: Buffer;
  private revision = -1;
  private problem: BrokenChain | undefined;

  constructor(
    readonly stream_id: string,
    private readonly lastRevision: string | null,
    private readonly lastHash: string | null,
  ) {
    this.hash = genesisHash(stream_id);
  }

  add(row: LinkRow): void {
    if (this.problem) return;
    const link = toLink(row);
    const revision = link.stream_revision;
    if (revision !== this.revision + 1) {
      this.fail(this.revision + 1, 'revision_gap');
      return;
    }
    this.hash = nextHash(this.hash, link);
    this.revision = revision;
    if (this.hash.toString('hex') !== row.hash) this.fail(revision, 'hash_mismatch');
  }

  finish(): BrokenChain | undefined {
    if (this.problem) return this.problem;
    if (this.lastRevision === null) return this.revision < 0 ? undefined : this.fail(this.revision, 'head_mismatch');
    const last = Number(this.lastRevision);
    if (this.revision < last) return this.fail(this.revision + 1, 'revision_gap');
    if (this.revision > last || this.hash.toString('hex') !== this.lastHash) return this.fail(last, 'head_mismatch');
    return undefined;
  }

  private fail(revision: number, problem: ChainProblem): BrokenChain {
    this.problem = { stream_id: this.stream_id, revision, problem };
    return this.problem;
  }
}
