import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@iwf/contracts';
import type { AnalyticsRecord } from './fold.js';
import { evolveAnalytics } from './fold.js';

const T0 = '2024-05-01T10:00:00.000Z';
let revision = 0;
function event(type: string, data: Record<string, unknown>, at = revision++): RecordedEvent {
  return {
    event_id: `00000000-0000-4000-8000-${String(at).padStart(12, '0')}`,
    stream_id: 'execution:acme:ex-1',
    stream_revision: at,
    position: { commit: BigInt(at + 1), prepare: BigInt(at + 1) },
    type,
    schema_version: 1,
    data,
    metadata: { tenant: 'acme', actor: 'engine', correlation_id: 'c' },
    recorded_at: new Date(T0),
  };
}

/** Given events, folds them as the projection does. */
const given = (...events: RecordedEvent[]): AnalyticsRecord | undefined =>
  events.reduce<AnalyticsRecord | undefined>((record, next) => evolveAnalytics(record, 'acme', 'ex-1', next) ?? record, undefined);

const started = (): RecordedEvent => event('ExecutionStarted', { execution_id: 'ex-1', workflow_id: 'wf', started_at: '2024-05-01T10:00:00Z' }, 0);

describe('analytics fold', () => {
  it('records a started execution as running, with no outcome yet', () => {
    expect(given(started())).toEqual({
      tenant: 'acme', execution_id: 'ex-1', workflow_id: 'wf', status: 'running', decision: null,
      started_at: T0, completed_at: null, duration_ms: null, revision: 0,
    });
  });

  it('takes the decision and duration of a completion, and only the duration of other endings', () => {
    const done = given(started(), event('StepStarted', {}, 1), event('ExecutionCompleted', { decision: 'blocked', at: '2024-05-01T10:00:01.500Z', duration_ms: 1500 }, 2));
    expect(done).toMatchObject({ status: 'completed', decision: 'blocked', duration_ms: 1500, completed_at: '2024-05-01T10:00:01.500Z', revision: 2 });
    for (const [type, status] of [['ExecutionFailed', 'failed'], ['ExecutionCancelled', 'cancelled'], ['ExecutionTimedOut', 'timed_out']] as const) {
      expect(given(started(), event(type, { at: '2024-05-01T10:01:00Z', duration_ms: 60_000 }, 1))).toMatchObject({ status, decision: null, duration_ms: 60_000 });
    }
  });

  it('goes back to running when a failed execution is retried', () => {
    const retried = given(started(), event('ExecutionFailed', { at: T0, duration_ms: 5 }, 1), event('ExecutionRetried', { at: T0 }, 2));
    expect(retried).toMatchObject({ status: 'running', duration_ms: null, completed_at: null, revision: 2 });
  });

  it('ignores a redelivered event and events it does not count', () => {
    const record = given(started());
    expect(evolveAnalytics(record, 'acme', 'ex-1', started())).toBeUndefined();
    expect(evolveAnalytics(record, 'acme', 'ex-1', event('DecisionMade', { decision: 'allowed' }, 5))).toBeUndefined();
  });

  it('refuses an ending before a start, naming what is wrong', () => {
    expect(() => given(event('ExecutionCompleted', { decision: 'allowed', at: T0, duration_ms: 1 }, 0))).toThrow(/before it started/);
    expect(() => given(started(), event('ExecutionCompleted', { at: T0, duration_ms: 1 }, 1))).toThrow(/decision is missing/);
  });
});
