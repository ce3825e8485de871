import type { AuditStreamView } from '@iwf/contracts';
import { parseStreamId } from '@iwf/contracts';
import { foldStream, upcastAll } from './folds.js';
import type { Queryable } from '../keyset.js';
import type { StreamCut } from './read-model.js';
import { readStreamUpTo, toAuditView } from './read-model.js';

/**
 * A stream's events up to the cut and the state its aggregate had folded there: what an
 * observer of the stream saw at that point (`GET /audit/streams/{id}`, `iwf history`).
 * Undefined when the stream has no events.
 */
export async function auditStream(db: Queryable, streamId: string, cut: StreamCut): Promise<AuditStreamView | undefined> {
  const parsed = parseStreamId(streamId);
  const found = parsed ? await readStreamUpTo(db, streamId, cut) : undefined;
  if (!parsed || !found) return undefined;
  const current = upcastAll(found.events);
  return {
    stream_id: streamId,
    category: parsed.category,
    revision: current.at(-1)?.stream_revision ?? null,
    head_revision: found.head,
    at_revision: cut.at_revision ?? null,
    at_time: cut.at_time?.toISOString() ?? null,
    events: current.map(toAuditView),
    state: foldStream(streamId, current),
  };
}
