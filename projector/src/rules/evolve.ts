import type { RecordedEvent, RuleEvent, RuleView } from '@iwf/contracts';
import { RULE_EVENT_TYPES } from '@iwf/contracts';
import type { ViewRecord } from '../executions/sql.js';
import { isoTime } from '../executions/time.js';

export interface RuleRecord extends ViewRecord<RuleView> {
  readonly deleted: boolean;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(RULE_EVENT_TYPES);

/**
 * Folds one event into the rule; undefined when the record already reflects it. Deleting
 * keeps the row as a tombstone; creating the same id again starts a new rule on it.
 */
export function evolveRule(record: RuleRecord | undefined, tenant: string, event: RecordedEvent): RuleRecord | undefined {
  if (record && event.stream_revision <= record.view.revision) return undefined;
  const typed = asRuleEvent(event);
  const meta = { revision: event.stream_revision };
  switch (typed.type) {
    case 'RuleCreated': {
      if (record && !record.deleted) throw new Error(`rule ${typed.data.rule_id} created twice`);
      const at = isoTime(typed.data.at);
      const { at: _at, ...body } = typed.data;
      return { tenant, deleted: false, view: { ...body, ...meta, created_at: at, updated_at: at }, position: event.position };
    }
    case 'RuleUpdated': {
      if (!record || record.deleted) throw new Error(`rule ${typed.data.rule_id} updated while it does not exist`);
      const { at, ...body } = typed.data;
      return { ...record, view: { ...record.view, ...body, ...meta, updated_at: isoTime(at) }, position: event.position };
    }
    case 'RuleDeleted': {
      if (!record || record.deleted) throw new Error(`rule ${typed.data.rule_id} deleted while it does not exist`);
      return { ...record, deleted: true, view: { ...record.view, ...meta, updated_at: isoTime(typed.data.at) }, position: event.position };
    }
  }
}

// Events come from our own store, decided by the rule aggregate; this guards the shape only.
function asRuleEvent(event: RecordedEvent): RuleEvent {
  if (!KNOWN_TYPES.has(event.type)) throw new Error(`unknown rule event type ${event.type}`);
  if (typeof event.data !== 'object' || event.data === null) throw new Error(`${event.type} without data`);
  return { type: event.type, data: event.data } as RuleEvent;
}
