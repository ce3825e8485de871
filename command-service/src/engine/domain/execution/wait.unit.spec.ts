import type { Step } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../testing/decider-spec.js';
import { executionDecider } from './decide.js';
import { Driver, T0, at, definitionOf, startCommand } from './spec-driver.js';

const spec = deciderSpec(executionDecider);

const waitThen = (wait: Extract<Step, { type: 'wait' }>['wait'], extra: Partial<Extract<Step, { type: 'wait' }>> = {}) =>
  definitionOf(
    [
      { id: 'await', type: 'wait', wait, next: 'done', ...extra },
      { id: 'done', type: 'execute', execute: [{ type: 'log', message: 'decision {{quote.rep_decision}}' }] },
      { id: 'late', type: 'action', action: { type: 'block' } },
    ],
    { trigger: { type: 'event', event: 'quote.created' } },
  );

const quote = { quote: { id: 'q-1', total: 100 } };

describe('wait step', () => {
  it('waits on <entity>.id of the trigger event type by default, with its timeout', () => {
    const events = executionDecider.decide(startCommand(waitThen({ event: 'quote.rep_reviewed', timeout: '48h' }), { payload: quote }), executionDecider.initialState);
    expect(events.at(-1)).toEqual({
      type: 'WaitStarted',
      data: { run: 0, step_id: 'await', path: ['await'], event_type: 'quote.rep_reviewed', match_field: 'quote.id', match_value: 'q-1', timeout_at: at(48 * 3600), at: T0 },
    });
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '48h' }), { payload: quote });
    expect(d.state.status).toBe('waiting');
    expect(d.work.waits).toEqual([{ step_id: 'await', event_type: 'quote.rep_reviewed', match_field: 'quote.id', match_value: 'q-1', timeout_at: at(48 * 3600) }]);
    expect(d.work.timers).toEqual([{ timer_id: 'wait_timeout:0', kind: 'wait_timeout', due_at: at(48 * 3600), step_id: 'await' }]);
  });

  it('resumes on a matching event, merging its payload into the context', () => {
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '48h' }), { payload: quote });
    const events = d.later(60).deliver('quote.rep_reviewed', { quote: { id: 'q-1', rep_decision: 'approved' } }, 'evt-9');
    expect(events.slice(0, 2)).toEqual([
      {
        type: 'WaitEventDelivered',
        data: { run: 0, step_id: 'await', path: ['await'], event_id: 'evt-9', event_type: 'quote.rep_reviewed', payload: { quote: { id: 'q-1', rep_decision: 'approved' } }, at: at(60) },
      },
      { type: 'StepCompleted', data: { run: 0, step_id: 'await', path: ['await'], output: { event_id: 'evt-9', event_type: 'quote.rep_reviewed' }, next: 'done', at: at(60) } },
    ]);
    expect(d.state.status === 'completed' && d.state.context['quote']).toEqual({ id: 'q-1', total: 100, rep_decision: 'approved' });
    expect(d.history.find((e) => e.type === 'EffectRequested' && e.data.kind === 'log')).toMatchObject({ data: { request: { message: 'decision approved' } } });
  });

  it.each([
    ['another quote', 'quote.rep_reviewed', { quote: { id: 'q-2' } }],
    ['another event type', 'quote.updated', { quote: { id: 'q-1' } }],
    ['no correlation field', 'quote.rep_reviewed', { other: 1 }],
  ])('ignores an event for %s', (_label, type, payload) => {
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '48h' }), { payload: quote });
    expect(d.deliver(type, payload)).toEqual([]);
    expect(d.state.status).toBe('waiting');
  });

  it('correlates on match.field, matches type prefixes, and treats "7" and 7 as the same id', () => {
    const d = Driver.start(waitThen({ event: 'payment.*', timeout: '1h', match: { field: 'order.number' } }), { payload: { order: { number: 7 } } });
    expect(d.deliver('payment.settled', { order: { number: '7' } })).not.toEqual([]);
    expect(d.state.status).toBe('completed');
  });

  it('takes a delivered event only once', () => {
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '48h' }), { payload: quote });
    const started = d.history;
    spec
      .given([...started, ...d.deliver('quote.rep_reviewed', quote, 'evt-5')])
      .when({ type: 'DeliverEvent', data: { event_id: 'evt-5', event_type: 'quote.rep_reviewed', payload: quote, now: at(5) } })
      .then([]);
  });

  it('fails the step with an evaluation error when the correlation value is not in the context', () => {
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '48h' }), { payload: { other: 1 } });
    expect(d.state.status === 'failed' && d.state.error).toEqual({ kind: 'evaluation', message: 'wait correlates on quote.id, which is not in the context' });
  });

  it('goes to on_timeout when the wait times out', () => {
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }, { on_timeout: 'late' }), { payload: quote });
    const fired = d.fire('wait_timeout');
    expect(fired.slice(0, 2)).toEqual([
      { type: 'WaitTimedOut', data: { run: 0, step_id: 'await', path: ['await'], at: at(3600) } },
      { type: 'StepCompleted', data: { run: 0, step_id: 'await', path: ['await'], output: { timed_out: true }, next: 'late', at: at(3600) } },
    ]);
    expect(d.timeline()).toEqual(['await:timed_out', 'late:completed']);
    expect(d.state.status === 'completed' && d.state.decision).toBe('blocked');
  });

  it('times the execution out when the wait has no on_timeout', () => {
    const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }), { payload: quote });
    expect(d.fire('wait_timeout').at(-1)).toEqual({ type: 'ExecutionTimedOut', data: { step_id: 'await', reason: 'wait_timeout', at: at(3600), duration_ms: 3_600_000 } });
    expect(d.state.status).toBe('timed_out');
    expect(d.timeline()).toEqual(['await:timed_out']);
  });

  it('ignores an event delivered after the wait timed out, and a timeout after the event arrived', () => {
    const timedOut = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }, { on_timeout: 'late' }), { payload: quote });
    timedOut.fire('wait_timeout');
    expect(timedOut.deliver('quote.rep_reviewed', quote)).toEqual([]);

    const resumed = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }), { payload: quote });
    const timer = resumed.work.timers[0]!;
    resumed.deliver('quote.rep_reviewed', quote);
    expect(resumed.send({ type: 'FireTimer', data: { kind: 'wait_timeout', timer_id: timer.timer_id, now: at(7200) } })).toEqual([]);
  });

  describe('an event that arrives at or after the deadline, before the timer fired', () => {
    const late = (seconds: number) => ({ type: 'DeliverEvent' as const, data: { event_id: 'evt-late', event_type: 'quote.rep_reviewed', payload: quote, now: at(seconds) } });
    const timer = (seconds: number) => ({ type: 'FireTimer' as const, data: { kind: 'wait_timeout' as const, timer_id: 'wait_timeout:0', now: at(seconds) } });
    const decidedOn = (history: Parameters<typeof spec.given>[0], command: Parameters<typeof executionDecider.decide>[0]) =>
      executionDecider.decide(command, history.reduce(executionDecider.evolve, executionDecider.initialState));

    it.each([3600, 3601, 7200])('takes on_timeout at %is, exactly as the timer would, and is not delivered', (seconds) => {
      const { history } = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }, { on_timeout: 'late' }), { payload: quote });
      const asTheTimer = decidedOn(history, timer(seconds));
      expect(asTheTimer.slice(0, 2).map((event) => event.type)).toEqual(['WaitTimedOut', 'StepCompleted']);
      spec.given(history).when(late(seconds)).then(asTheTimer);
    });

    it('times the execution out when the wait has no on_timeout', () => {
      const { history } = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }), { payload: quote });
      spec.given(history).when(late(3600)).then([
        { type: 'WaitTimedOut', data: { run: 0, step_id: 'await', path: ['await'], at: at(3600) } },
        { type: 'ExecutionTimedOut', data: { step_id: 'await', reason: 'wait_timeout', at: at(3600), duration_ms: 3_600_000 } },
      ]);
    });

    it('then leaves nothing for the timer to do, while an event just before the deadline still resumes the wait', () => {
      const d = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }, { on_timeout: 'late' }), { payload: quote });
      d.send(late(3700));
      expect(d.timeline()).toEqual(['await:timed_out', 'late:completed']);
      expect(d.state.status !== 'not_started' && d.state.delivered_event_ids).toEqual([]);
      spec.given(d.history).when(timer(3700)).then([]);
      const inTime = Driver.start(waitThen({ event: 'quote.rep_reviewed', timeout: '1h' }, { on_timeout: 'late' }), { payload: quote });
      expect(inTime.send(late(3599)).slice(0, 1).map((event) => event.type)).toEqual(['WaitEventDelivered']);
      expect(inTime.timeline()).toEqual(['await:completed', 'done:completed']);
    });
  });

  it('runs a step again in a loop through a wait, and the timeline shows every run', () => {
    const definition = definitionOf(
      [
        { id: 'await', type: 'wait', wait: { event: 'quote.updated', timeout: '1h' }, next: 'ready' },
        { id: 'ready', type: 'condition', condition: { field: 'quote.status', operator: 'eq', value: 'final' }, on_true: 'done', on_false: 'await' },
        { id: 'done', type: 'action', action: { type: 'allow' } },
      ],
      { trigger: { type: 'event', event: 'quote.created' } },
    );
    const d = Driver.start(definition, { payload: quote });
    d.later(10).deliver('quote.updated', { quote: { id: 'q-1', status: 'draft' } });
    expect(d.state.status).toBe('waiting');
    expect(d.work.timers).toEqual([{ timer_id: 'wait_timeout:2', kind: 'wait_timeout', due_at: at(10 + 3600), step_id: 'await' }]);
    d.later(10).deliver('quote.updated', { quote: { id: 'q-1', status: 'final' } });
    expect(d.timeline()).toEqual(['await:completed', 'ready:completed', 'await:completed', 'ready:completed', 'done:completed']);
    expect(d.state.status !== 'not_started' && d.state.steps.map((entry) => entry.visit)).toEqual([0, 0, 1, 1, 0]);
  });
});
