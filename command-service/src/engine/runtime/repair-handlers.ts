import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent, RuleEvent, WorkflowEvent } from '@iwf/contracts';
import { parseStreamId, upcastRecorded } from '@iwf/contracts';
import type { EventIngested } from '@iwf/contracts';
import type { ApprovalService } from '../../approvals/service.js';
import { ensureStarted } from '../../ingest/recover.js';
import { indexWorkflow, indexedRevisions } from '../../ingest/trigger-index.js';
import { offerToWaits, waitsBefore } from '../../ingest/waits.js';
import type { RuleState } from '../../rules/domain/decider.js';
import { ruleDecider } from '../../rules/domain/decider.js';
import { indexRule } from '../../rules/rule-index.js';
import { workflowDecider } from '../../workflows/domain/decider.js';
import type { WorkflowState } from '../../workflows/domain/state.js';
import type { ExecutionRunner } from './execution-runner.js';
import { syncedRevisions } from './work-sync.js';

/** What the repair subscription does with each category of events in a batch. */
export interface RepairHandlers {
  workflows(events: readonly RecordedEvent[]): Promise<void>;
  rules(events: readonly RecordedEvent[]): Promise<void>;
  executions(events: readonly RecordedEvent[]): Promise<void>;
  approvals(events: readonly RecordedEvent[]): Promise<void>;
  ingests(events: readonly RecordedEvent[]): Promise<void>;
}

export interface RepairHandlerDeps {
  readonly logger: Logger;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly runner: ExecutionRunner;
  readonly approvals: ApprovalService;
  readonly clock: () => Date;
}

const TERMINAL = new Set(['ExecutionCompleted', 'ExecutionFailed', 'ExecutionCancelled', 'ExecutionTimedOut']);

interface StreamHead {
  readonly tenant: string;
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
}

/** The newest event of each stream in the batch. */
function heads(events: readonly RecordedEvent[]): StreamHead[] {
  const byStream = new Map<string, StreamHead>();
  for (const event of events) {
    const parsed = parseStreamId(event.stream_id);
    if (parsed === undefined) continue;
    const known = byStream.get(event.stream_id);
    if (known === undefined || known.revision < event.stream_revision) {
      byStream.set(event.stream_id, { tenant: parsed.tenant, id: parsed.id, stream: event.stream_id, revision: event.stream_revision, type: event.type });
    }
  }
  return [...byStream.values()];
}

const key = (tenant: string, id: string): string => `${tenant}\u0000${id}`;

async function fold<S, E>(store: EventStore, stream: string, decider: { initialState: S; evolve: (state: S, event: E) => S }): Promise<{ state: S; revision: number }> {
  const recorded = await store.readStream(stream);
  const state = recorded.reduce((acc, event) => decider.evolve(acc, upcastRecorded(event) as unknown as E), decider.initialState);
  return { state, revision: recorded.at(-1)?.stream_revision ?? -1 };
}

/**
 * Runs one stream's repair. A failure with a driver code (the database away) stops the batch,
 * to be retried from the checkpoint; any other (a stream the code cannot repair) is logged
 * and skipped, so one bad stream cannot hold every later repair back.
 */
async function tolerate(logger: Logger, stream: string, repair: () => Promise<unknown>): Promise<void> {
  try {
    await repair();
  } catch (error) {
    if (typeof (error as { code?: unknown }).code === 'string') throw error;
    logger.error({ err: error, stream_id: stream }, 'engine repair skipped a stream it cannot repair');
  }
}

// Executions seen starting lately: most ingest records name only these, and need no read.
const RECENT_STARTS = 20_000;

export function createRepairHandlers(deps: RepairHandlerDeps): RepairHandlers {
  const recent = new Set<string>();
  const remember = (id: string): void => {
    recent.add(id);
    if (recent.size > RECENT_STARTS) recent.delete(recent.values().next().value ?? '');
  };
  return {
    async workflows(events) {
      const latest = heads(events);
      const indexed = await indexedRevisions(deps.pool, latest.map((head) => ({ tenant: head.tenant, workflow_id: head.id })));
      for (const head of latest) {
        if ((indexed.get(key(head.tenant, head.id)) ?? -1) >= head.revision) continue;
        await tolerate(deps.logger, head.stream, async () => {
          const { state, revision } = await fold<WorkflowState, WorkflowEvent>(deps.store, head.stream, workflowDecider);
          await indexWorkflow(deps.pool, head.tenant, revision, state, deps.clock());
        });
      }
    },
    async rules(events) {
      for (const head of heads(events)) {
        await tolerate(deps.logger, head.stream, async () => {
          const { state, revision } = await fold<RuleState, RuleEvent>(deps.store, head.stream, ruleDecider);
          await indexRule(deps.pool, head.tenant, revision, state);
        });
      }
    },
    async executions(events) {
      for (const event of events) if (event.type === 'ExecutionStarted') remember(event.stream_id);
      const latest = heads(events);
      const synced = await syncedRevisions(deps.pool, latest.map((head) => ({ tenant: head.tenant, execution_id: head.id })));
      await Promise.all(
        latest.map(async (head) => {
          const at = synced.get(key(head.tenant, head.id));
          // Never synced and ended: it began and ended in one append, so it never had rows.
          if (at === undefined ? TERMINAL.has(head.type) : at >= head.revision) return;
          await tolerate(deps.logger, head.stream, () => deps.runner.resync(head.tenant, head.id));
        }),
      );
    },
    async approvals(events) {
      for (const head of heads(events)) await tolerate(deps.logger, head.stream, () => deps.approvals.ensureExpiry(head.tenant, head.id));
    },
    async ingests(events) {
      const ingested = events.flatMap((event) => {
        if (event.type !== 'EventIngested') return [];
        const tenant = parseStreamId(event.stream_id)?.tenant ?? '';
        const actor = { actor: 'system:engine', correlation_id: event.metadata.correlation_id, chain_depth: Number(event.metadata['chain_depth'] ?? 0) };
        return [{ stream: event.stream_id, event: { tenant, position: event.position, data: event.data as EventIngested['data'] }, actor }];
      });
      for (const { stream, event, actor } of ingested) {
        if (event.data.executions.every((entry) => recent.has(`execution:${event.tenant}:${entry.execution_id}`))) continue;
        await tolerate(deps.logger, stream, () => ensureStarted(deps, event.tenant, event.data, actor));
      }
      // Offered again to the waits opened before each record (their rows are synced by now, the
      // executions above coming first in the log): what a crash before the offer left undone.
      // A wait that took the event is closed, so normally nothing matches.
      const rows = await waitsBefore(deps.pool, ingested.map((entry) => entry.event));
      for (const [index, { stream, event, actor }] of ingested.entries()) {
        const matching = rows[index] ?? [];
        if (matching.length > 0) await tolerate(deps.logger, stream, () => offerToWaits(deps, event, matching, actor));
      }
    },
  };
}
