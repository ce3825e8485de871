import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '@iwf/contracts';
import { replayExecution } from './replay-check.js';
import { REVIEW_RULES, recordOrderReview } from './testing/scenario.js';

const rules = () => REVIEW_RULES;

describe('replay-check', () => {
  it('finds nothing to report in an execution the current engine recorded: start, a failed call, its retry, a rule, an approval, a wait', () => {
    const { events, decisions } = recordOrderReview();
    expect(decisions.length).toBeGreaterThanOrEqual(6);
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['ExecutionStarted', 'StepStarted', 'EffectRequested', 'EffectFailed', 'StepFailed', 'EffectCompleted', 'StepCompleted', 'ConditionEvaluated',
        'ApprovalRequested', 'ApprovalResolved', 'WaitStarted', 'WaitEventDelivered', 'DecisionMade', 'ExecutionCompleted']),
    );
    expect(replayExecution(events, rules)).toBeUndefined();
  });

  it('names the decision an engine change would alter: the recorded and the replayed events, and the first that differs', () => {
    const { events } = recordOrderReview();
    const index = events.findIndex((event) => event.type === 'ConditionEvaluated');
    // As if the rule had said false when the execution ran: the engine now goes another way from there.
    const recorded = events.map((event, at): ExecutionEvent => (at === index ? ({ ...event, data: { ...event.data, result: false } } as ExecutionEvent) : event));
    const divergence = replayExecution(recorded, rules);
    expect(divergence).toMatchObject({ command: 'RecordEffectResult', detail: { recorded: { result: false }, replayed: { result: true } } });
    expect(divergence?.revision).toBeLessThan(index);
    expect(divergence?.replayed).toContain('ConditionEvaluated');
  });

  it('reports an execution whose rules now decide otherwise, at the decision that evaluated them', () => {
    const { events } = recordOrderReview();
    const stricter = () => ({ 'big-order': { field: 'order.total', operator: 'gte', value: 5000 } }) as const;
    const divergence = replayExecution(events, stricter);
    expect(divergence?.recorded).toContain('ApprovalRequested');
    expect(divergence?.replayed).toContain('DecisionMade');
  });

  it('reports recorded events no command of the engine produces', () => {
    const { events } = recordOrderReview();
    const forged: ExecutionEvent = { type: 'WaitTimedOut', data: { run: 9, step_id: 'await', path: ['await'], at: '2024-05-01T12:00:00.000Z' } };
    const at = events.findIndex((event) => event.type === 'ApprovalResolved');
    const divergence = replayExecution([...events.slice(0, at), forged, ...events.slice(at)], rules);
    expect(divergence).toMatchObject({ revision: at, recorded: ['WaitTimedOut'] });
    expect(divergence?.replayed).not.toContain('WaitTimedOut');
  });
});
