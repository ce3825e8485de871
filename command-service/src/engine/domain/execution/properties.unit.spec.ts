import type { ErrorKind, ExecutionEvent, JsonRecord, WorkflowDefinitionBody } from '@iwf/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evolve } from './evolve.js';
import { Driver, definitionOf } from './spec-driver.js';
import { initialState } from './state.js';

/** A definition that touches every step type and most template paths. */
const everything: WorkflowDefinitionBody = definitionOf(
  [
    { id: 'gate', type: 'condition', condition: { or: [{ field: 'order.total', operator: 'gte', value: 100 }, { field: 'order.vip', operator: 'exists' }] }, on_true: 'fan', on_false: 'loop', on_error: 'loop' },
    {
      id: 'fan',
      type: 'parallel',
      parallel: {
        strategy: 'any_can_pass',
        steps: [
          { id: 'p_call', type: 'execute', execute: [{ type: 'http_request', url: 'https://x.test/{{order.id}}', body: { all: '{{order}}' } }], retry: { max_attempts: 2, backoff: 'linear', retry_on: ['*'] } },
          { id: 'p_cond', type: 'condition', condition: { field: 'order.lines.length', operator: 'gt', value: 1 } },
        ],
      },
      next: 'loop',
      on_error: 'loop',
    },
    {
      id: 'loop',
      type: 'foreach',
      foreach: { items: '{{order.lines}}', item_var: 'line', steps: [{ id: 'each', type: 'execute', execute: [{ type: 'notify', recipients: ['{{line.owner}}'], message: '{{line}} {{_index}}' }] }] },
      next: 'hold',
      on_error: 'hold',
    },
    { id: 'hold', type: 'wait', wait: { event: 'order.updated', timeout: '1h' }, next: 'ask', on_timeout: 'ask', on_error: 'ask' },
    { id: 'ask', type: 'approval', approval: { approver_role: 'boss', expires_in: '1h' }, on_approved: 'ok', on_rejected: 'no', on_expired: 'no' },
    { id: 'ok', type: 'action', action: { type: 'allow', reason: '{{order.reason}}' }, execute: [{ type: 'create_approval_request', entity: 'order', entity_id: '{{order.id}}', data: { approver_role: 'x', reason: 'y', expires_in: '2h' } }] },
    { id: 'no', type: 'action', action: { type: 'block' }, execute: [{ type: 'emit', event_type: 'order.blocked', payload: { order: '{{order}}' } }] },
  ],
  { timeout: '1d', context: { load: ['customer.profile'] } },
);

const kinds: readonly ErrorKind[] = ['timeout', 'network', 'http_4xx', 'http_5xx', 'invalid', 'other'];

/** Plays a runtime that answers at random (from the seeded choices) until the execution rests. */
function play(payload: JsonRecord, choices: readonly number[]): Driver {
  const d = Driver.start(everything, { payload });
  for (const choice of choices) {
    if (d.state.status === 'failed' && choice % 7 === 0) d.send({ type: 'RetryExecution', data: { by: 'ops', now: d.later(1).now } });
    const work = d.work;
    const effect = work.effects[choice % Math.max(1, work.effects.length)];
    const timer = work.timers[choice % Math.max(1, work.timers.length)];
    switch (choice % 5) {
      case 0:
      case 1:
        if (effect !== undefined) {
          const outcome = choice % 3 === 0 ? { status: 'failed' as const, error: { kind: kinds[choice % kinds.length]!, message: 'x' } } : { status: 'completed' as const, result: { status: 200, body: payload } };
          d.send({ type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome, now: d.later(1).now } });
        }
        break;
      case 2:
        if (timer !== undefined) d.fire(timer.kind);
        break;
      case 3:
        d.later(1).deliver('order.updated', payload);
        break;
      case 4:
        d.later(1).resolve((['approved', 'rejected', 'expired'] as const)[choice % 3]!);
        break;
    }
  }
  return d;
}

const fold = (events: readonly ExecutionEvent[]) => events.reduce(evolve, initialState);
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const payloads = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue()),
  fc.record({
    order: fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        total: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        vip: fc.jsonValue(),
        lines: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.jsonValue()),
        reason: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  }),
);

describe('execution properties', () => {
  it('folding the same events twice, or after a JSON round trip, gives the same state', () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(1000), { maxLength: 40 }), (payload, choices) => {
        const d = play(payload, choices);
        const once = fold(d.history);
        expect(fold(d.history)).toEqual(once);
        // Stored events are JSON: folding them as read back gives the state, as JSON would hold it.
        expect(fold(roundTrip(d.history))).toEqual(roundTrip(once));
        expect(once).toEqual(d.state);
      }),
      { numRuns: 150 },
    );
  });

  it('decide never throws on arbitrary contexts; what cannot be evaluated fails a step', () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(1000), { maxLength: 25 }), (payload, choices) => {
        const d = play(payload, choices);
        expect(d.history[0]?.type).toBe('ExecutionStarted');
        for (const [index, event] of d.history.entries()) {
          if (event.type !== 'ConditionEvaluated') continue;
          // A condition either routes on a boolean or fails its step with an evaluation error.
          const after = d.history[index + 1];
          if (event.data.result === null) expect(after).toMatchObject({ type: 'StepFailed', data: { error: { kind: 'evaluation' } } });
          else expect(after).toMatchObject({ type: 'StepCompleted', data: { output: { result: event.data.result } } });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('an execution that rests has nothing left for Advance to do', () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(1000), { maxLength: 25 }), (payload, choices) => {
        const d = play(payload, choices);
        expect(d.work.advance).toBe(false);
        expect(d.send({ type: 'Advance', data: { now: d.now } })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
