import type pg from 'pg';
import type { Condition, EventStore, ExecutionEvent, RecordedEvent, RuleConditions, RuleEvent, WorkflowDefinitionBody } from '@iwf/contracts';
import { parseStreamId, streamId, upcastRecorded } from '@iwf/contracts';
import { referencedRuleIds } from '@iwf/command-service/engine/domain/execution/index';
import type { Divergence, RulesAt } from './replay-check.js';
import { replayExecution } from './replay-check.js';

export interface ReplayCheckFilter {
  readonly tenant?: string | undefined;
  readonly workflow?: string | undefined;
  readonly execution?: string | undefined;
}

export interface ReplayFinding {
  readonly stream_id: string;
  readonly workflow_id: string;
  readonly divergence: Divergence;
}

export interface ReplayCheckReport {
  readonly checked: number;
  readonly findings: ReplayFinding[];
}

const PAGE = 500;

/** Replays every recorded execution (of a tenant, a workflow, or one) through the current engine. */
export async function replayCheck(
  pool: pg.Pool,
  store: Pick<EventStore, 'readStream'>,
  filter: ReplayCheckFilter,
  onProgress?: (checked: number) => void,
): Promise<ReplayCheckReport> {
  const pattern = `execution:${filter.tenant ? likeText(filter.tenant) : '%'}:${filter.execution ? likeText(filter.execution) : '%'}`;
  const findings: ReplayFinding[] = [];
  let checked = 0;
  let after = '';
  for (;;) {
    const page = await pool.query<{ stream_id: string }>(
      'SELECT stream_id FROM iwf_events.streams WHERE stream_id LIKE $1 AND stream_id > $2 ORDER BY stream_id LIMIT $3',
      [pattern, after, PAGE],
    );
    for (const { stream_id } of page.rows) {
      const events = (await store.readStream(stream_id)).map((event) => upcastRecorded(event));
      const started = events[0]?.type === 'ExecutionStarted' ? (events[0].data as { workflow_id: string; definition: WorkflowDefinitionBody }) : undefined;
      if (filter.workflow !== undefined && started?.workflow_id !== filter.workflow) continue;
      const tenant = parseStreamId(stream_id)?.tenant ?? '';
      const rulesAt = started ? await rulesOf(store, tenant, referencedRuleIds(started.definition)) : () => ({});
      const divergence = replayExecution(events.map(asExecutionEvent), rulesAt);
      if (divergence) findings.push({ stream_id, workflow_id: started?.workflow_id ?? '', divergence });
      onProgress?.(++checked);
    }
    const last = page.rows.at(-1);
    if (!last || page.rows.length < PAGE) return { checked, findings };
    after = last.stream_id;
  }
}

// Recorded execution events are the engine's own; the decider folds whatever type it knows.
const asExecutionEvent = (event: RecordedEvent): ExecutionEvent => ({ type: event.type, data: event.data }) as ExecutionEvent;

/** The referenced rules' conditions as they stood at a given time, from their streams. */
async function rulesOf(store: Pick<EventStore, 'readStream'>, tenant: string, ids: readonly string[]): Promise<RulesAt> {
  const histories = await Promise.all(
    ids.map(async (id) => ({ id, events: (await store.readStream(streamId('rule', tenant, id))).map((event) => upcastRecorded(event) as unknown as RuleEvent) })),
  );
  return (now) => {
    const rules: Record<string, Condition> = {};
    for (const { id, events } of histories) {
      let condition: Condition | undefined;
      for (const event of events) {
        if (event.data.at > now) break;
        condition = event.type === 'RuleDeleted' ? undefined : event.data.condition;
      }
      if (condition !== undefined) rules[id] = condition;
    }
    return rules satisfies RuleConditions;
  };
}

function likeText(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
