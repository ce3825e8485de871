import type { Step } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../testing/decider-spec.js';
import { executionDecider } from './decide.js';
import { MAX_EVENTS_PER_DECISION } from './interpreter.js';
import { Driver, at, definitionOf } from './spec-driver.js';

const spec = deciderSpec(executionDecider);

// Published before the graph check knew that a wait which cannot start takes on_error at once:
// without order.id in the context, w1 fails, note runs, and the flow is back at w1 unpaused.
const loopThroughOnError = definitionOf([
  { id: 'w1', type: 'wait', wait: { event: 'order.paid', timeout: '1h' }, next: 'done', on_error: 'note' },
  { id: 'note', type: 'execute', execute: [{ type: 'log', message: 'no order id yet' }], next: 'w1' },
  { id: 'done', type: 'action', action: { type: 'allow' } },
] as Step[]);

describe('a loop that never pauses', () => {
  it('fails the execution with kind loop when a step comes round again in a decision, instead of advancing forever', () => {
    const d = Driver.start(loopThroughOnError, { payload: {} });
    expect(d.types()).toEqual([
      'ExecutionStarted', 'StepStarted', 'StepFailed', 'StepStarted', 'EffectRequested', 'EffectCompleted', 'StepCompleted', 'ExecutionFailed',
    ]);
    expect(d.history.at(-1)).toEqual({
      type: 'ExecutionFailed',
      data: {
        step_id: 'w1',
        path: ['w1'],
        error: { kind: 'loop', message: 'step w1 was reached again without the execution waiting for anything since its last run, so it would loop forever' },
        at: at(0),
        duration_ms: 0,
      },
    });
    expect(d.work).toMatchObject({ status: 'failed', advance: false });
    // Nothing is left to advance, and a retry would only loop again.
    spec.given(d.history).when({ type: 'Advance', data: { now: at(1) } }).then([]);
    spec.given(d.history).when({ type: 'RetryExecution', data: { by: 'ops', now: at(1) } }).thenThrows('illegal_state');
  });

  it('lets the same loop run while it pauses: a wait that starts waits', () => {
    const d = Driver.start(loopThroughOnError, { payload: { order: { id: 'o-1' } } });
    expect(d.state.status).toBe('waiting');
    d.later(60).fire('wait_timeout');
    expect(d.state.status).toBe('timed_out');
  });

  it('still carries work past the per-decision limit over to Advance when it does not loop', () => {
    // Three log steps per item: about 11,000 events, all synchronous, none a loop.
    const body: Step[] = ['a', 'b', 'c'].map((id, index, ids) => ({ id, type: 'execute', execute: [{ type: 'log', message: `${id} {{_index}}` }], ...(ids[index + 1] ? { next: ids[index + 1] } : {}) }));
    const definition = definitionOf([{ id: 'each', type: 'foreach', foreach: { items: '{{lines}}', item_var: 'line', steps: body }, next: 'done' }, { id: 'done', type: 'action', action: { type: 'allow' } }]);
    const d = Driver.start(definition, { payload: { lines: Array.from({ length: 1000 }, (_, n) => n) } });
    expect(d.history.length).toBeGreaterThanOrEqual(MAX_EVENTS_PER_DECISION);
    expect(d.work.advance).toBe(true);
    d.send({ type: 'Advance', data: { now: at(1) } });
    expect(d.state.status).toBe('completed');
  });
});
