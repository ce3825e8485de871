import type { EventIngested, EventStore, LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions, parseStreamId } from '@iwf/contracts';
import { isActive, matchingWaits } from '../engine/domain/execution/index.js';
import type { Actor, ExecutionRunner, Loaded } from '../engine/runtime/execution-runner.js';
import { waitingRuns } from '../engine/runtime/open-waits.js';
import { offerEvent } from './waits.js';

const PAGE = 500;

export interface CatchUpDeps {
  readonly store: EventStore;
  readonly runner: ExecutionRunner;
}

const earliest = (positions: readonly LogPosition[]): LogPosition | undefined =>
  positions.reduce<LogPosition | undefined>((min, position) => (min === undefined || comparePositions(position, min) < 0 ? position : min), undefined);

function ingestedIn(record: RecordedEvent, tenant: string): EventIngested['data'] | undefined {
  const stream = parseStreamId(record.stream_id);
  return record.type === 'EventIngested' && stream?.category === 'ingest' && stream.tenant === tenant ? (record.data as EventIngested['data']) : undefined;
}

/**
 * Offers an execution's newly indexed waits (these runs) the business events recorded after
 * each opened: an ingest that read the waits before this row was written could not. Reads the
 * ingest records after the earliest of their positions, in log order, and offers each that
 * matches one of the runs it came after (never the execution's own trigger event). The log is
 * read below its horizon, so a record still behind an open transaction is left to the repair
 * subscription, which offers every record to the waits that opened before it. Answers how
 * many events were delivered.
 */
export async function catchUpWaits(deps: CatchUpDeps, tenant: string, executionId: string, loaded: Loaded, runs: readonly number[], actor: Actor): Promise<number> {
  const opened = runs.flatMap((run) => {
    const at = loaded.opened.get(run);
    return at === undefined ? [] : [{ run, at }];
  });
  let after = earliest(opened.map((entry) => entry.at));
  let { state } = loaded;
  if (after === undefined || !isActive(state)) return 0;
  const ownEvent = state.trigger.event_id;
  const ours = new Set(opened.map((entry) => entry.run));
  let delivered = 0;
  for (;;) {
    const page = await deps.store.readAll({ after, type_prefixes: ['EventIngested'], max_count: PAGE });
    for (const record of page) {
      if (!waitingRuns(state).some((run) => ours.has(run))) return delivered;
      const event = ingestedIn(record, tenant);
      if (event === undefined || event.event_id === ownEvent || !isActive(state)) continue;
      const eligible = new Set(opened.filter((entry) => comparePositions(entry.at, record.position) < 0).map((entry) => entry.run));
      if (!matchingWaits(state, event.event_type, event.payload).some((entry) => eligible.has(entry.run))) continue;
      const applied = await offerEvent(deps.runner, tenant, executionId, event, eligible, actor);
      state = applied.state;
      if (applied.appended > 0) delivered += 1;
    }
    if (page.length < PAGE) return delivered;
    after = page.at(-1)?.position;
  }
}
