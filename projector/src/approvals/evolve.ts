import type { ApprovalEvent, ApprovalEventType, ApprovalView, LogPosition, RecordedEvent } from '@iwf/contracts';
import { APPROVAL_EVENT_TYPES } from '@iwf/contracts';
import { isoTime } from '../executions/time.js';

/** One row of the approvals read model while a batch folds into it. */
export interface ApprovalRecord {
  readonly tenant: string;
  readonly view: ApprovalView;
  readonly position: LogPosition;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(APPROVAL_EVENT_TYPES);
const DECISIONS = { ApprovalApproved: 'approved', ApprovalRejected: 'rejected', ApprovalExpired: 'expired', ApprovalWithdrawn: 'withdrawn' } as const;

/** Folds one event into the record; undefined when the record already reflects it. */
export function evolveApproval(record: ApprovalRecord | undefined, tenant: string, event: RecordedEvent): ApprovalRecord | undefined {
  if (record && event.stream_revision <= record.view.revision) return undefined;
  const typed = asApprovalEvent(event);
  const position = event.position;
  if (typed.type === 'ApprovalCreated') {
    if (record) throw new Error(`approval ${typed.data.approval_id} created twice`);
    const { created_at, expires_at, ...data } = typed.data;
    const view: ApprovalView = {
      ...data,
      status: 'pending',
      expires_at: isoTime(expires_at),
      decided_by: null,
      decided_at: null,
      comment: null,
      created_at: isoTime(created_at),
      revision: event.stream_revision,
    };
    return { tenant, view, position };
  }
  if (!record) throw new Error(`${typed.type} before the approval was created`);
  // The aggregate decides once; a second decision means the log is not what it should be.
  if (record.view.status !== 'pending') throw new Error(`approval ${record.view.approval_id} decided again (was ${record.view.status})`);
  // A withdrawal is nobody's decision: decided_at says when the approval stopped being pending.
  const { decided_by, comment } = typed.type === 'ApprovalWithdrawn' ? { decided_by: null, comment: null } : typed.data;
  const view: ApprovalView = { ...record.view, status: DECISIONS[typed.type], decided_by, comment, decided_at: isoTime(typed.data.at), revision: event.stream_revision };
  return { tenant, view, position };
}

// Events come from our own store, decided by the approval aggregate; this guards the shape only.
function asApprovalEvent(event: RecordedEvent): ApprovalEvent {
  if (!KNOWN_TYPES.has(event.type)) throw new Error(`unknown approval event type ${event.type}`);
  if (typeof event.data !== 'object' || event.data === null) throw new Error(`${event.type} without data`);
  return { type: event.type as ApprovalEventType, data: event.data } as ApprovalEvent;
}
