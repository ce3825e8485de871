import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '@iwf/contracts';
import type { ExecutionRecord } from './fold.js';
import { evolveExecution } from './fold.js';
import * as e from './testing/execution-events.js';
import { recordStream } from './testing/record.js';

const T = 'acme';
const fold = (events: readonly ExecutionEvent[]): ExecutionRecord | undefined =>
  recordStream('execution', T, 'x1', events).reduce<ExecutionRecord | undefined>((record, event) => evolveExecution(record, T, event) ?? record, undefined);
const view = (events: readonly ExecutionEvent[]) => fold(events)!.view;

describe('execution fold', () => {
  it('starts running with the trigger event and context, no steps yet', () => {
    expect(view([e.started('x1', { context: { order: { id: 'o1' } } })])).toEqual({
      execution_id: 'x1',
      workflow_id: 'orders',
      workflow_revision: 1,
      workflow_version: '1.0.0',
      trigger_kind: 'event',
      trigger_event_id: 'ev-x1',
      status: 'running',
      decision: null,
      current_step_id: null,
      error: null,
      started_at: e.t(0),
      completed_at: null,
      duration_ms: null,
      updated_at: e.t(0),
      revision: 0,
      context: { order: { id: 'o1' }, event: { id: 'ev-x1', type: 'order.created', source: 'shop', received_at: e.t(0) } },
      steps: [],
    });
  });

  it('waits while every unfinished leaf waits, and runs again when a thread moves on', () => {
    const history = [e.started('x1'), e.stepStarted(0, 'await_payment', 'wait', e.t(1)), e.waitStarted(0, 'await_payment', 'payment.received', 'o1', e.t(1))];
    expect(view(history)).toMatchObject({ status: 'waiting', current_step_id: 'await_payment', steps: [{ status: 'waiting' }] });
    const delivered = [...history, e.waitEventDelivered(0, 'await_payment', { payment: { ref: 'p1' } }, e.t(5))];
    expect(view(delivered).context).toMatchObject({ payment: { ref: 'p1' } });
    const moved = [...delivered, e.stepCompleted(0, 'await_payment', 'decide', e.t(5), { event_id: 'd' })];
    expect(view(moved)).toMatchObject({ status: 'running', steps: [{ status: 'completed', completed_at: e.t(5) }] });
  });

  it('keeps running while a parallel branch is about to start, although the other one waits', () => {
    const events = [
      e.started('x1'),
      e.stepStarted(0, 'checks', 'parallel', e.t(1)),
      e.parallelStarted(0, 'checks', ['a', 'b'], e.t(1)),
      e.stepStarted(1, 'a', 'wait', e.t(1), { thread: '0/a', path: ['checks', 'a'] }),
      e.waitStarted(1, 'a', 'x.done', 1, e.t(1)),
    ];
    expect(view(events).status).toBe('running');
    const both = [...events, e.stepStarted(2, 'b', 'approval', e.t(1), { thread: '0/b', path: ['checks', 'b'] }), e.approvalRequested(2, 'b', 'ap1', e.t(1))];
    expect(view(both)).toMatchObject({ status: 'waiting', steps: [{ parent_run: null }, { parent_run: 0 }, { parent_run: 0 }] });
  });

  it('merges an http_request answer into the context, and ignores one no longer awaited', () => {
    const base = [e.started('x1', { context: { customer: { id: 'c1' } } }), e.stepStarted(0, 'fetch', 'execute', e.t(1))];
    const answered = view([
      ...base,
      e.effectRequested('x1:effect:1', 0, 'fetch', 'http_request', { url: 'https://crm' }, e.t(1)),
      e.effectCompleted('x1:effect:1', { status: 200, body: { customer: { tier: 'gold' } } }, e.t(2)),
    ]);
    expect(answered.context['customer']).toEqual({ id: 'c1', tier: 'gold' });
    const late = view([
      ...base,
      e.effectRequested('x1:effect:1', 0, 'fetch', 'http_request', {}, e.t(1)),
      e.stepFailed(0, 'fetch', { kind: 'timeout', message: 'step timeout' }, e.t(3)),
      e.effectCompleted('x1:effect:1', { status: 200, body: { customer: { tier: 'gold' } } }, e.t(4)),
    ]);
    expect(late.context['customer']).toEqual({ id: 'c1' });
  });

  it('lands loaded resources at their root and their own path', () => {
    const loaded = view([
      e.started('x1', { context: { customer: { id: 'c1' } } }),
      { type: 'ContextLoaded', data: { resources: [{ name: 'customer.profile', status: 'loaded' }], values: { 'customer.profile': { vip: true } }, at: e.t(1) } },
    ]);
    expect(loaded.context['customer']).toEqual({ id: 'c1', vip: true, profile: { vip: true } });
  });

  it('counts retries as attempts of one run and keeps the last error until the run completes', () => {
    const error = { kind: 'http_5xx' as const, message: 'ERP answered 503', status: 503 };
    const failing = [
      e.started('x1'),
      e.stepStarted(0, 'call_erp', 'execute', e.t(1)),
      e.stepFailed(0, 'call_erp', error, e.t(2), { retry_at: e.t(4) }),
    ];
    expect(view(failing)).toMatchObject({ status: 'running', steps: [{ status: 'retrying', attempts: 1, error }] });
    const ok = view([...failing, e.stepStarted(0, 'call_erp', 'execute', e.t(4), { attempt: 2 }), e.stepCompleted(0, 'call_erp', null, e.t(5), { results: [] })]);
    expect(ok.steps).toEqual([expect.objectContaining({ run: 0, status: 'completed', attempts: 2, error: null, started_at: e.t(1), completed_at: e.t(5) })]);
  });

  it('ends unfinished runs with the execution: timed out, or cancelled', () => {
    const waiting = [e.started('x1'), e.stepStarted(0, 'w', 'wait', e.t(1)), e.waitStarted(0, 'w', 'x.done', 1, e.t(1))];
    expect(view([...waiting, e.timedOut('w', e.t(60))])).toMatchObject({
      status: 'timed_out',
      current_step_id: 'w',
      error: { kind: 'timeout' },
      duration_ms: 60_000,
      steps: [{ status: 'timed_out', completed_at: e.t(60) }],
    });
    expect(view([...waiting, e.cancelled(e.t(30))])).toMatchObject({ status: 'cancelled', error: null, steps: [{ status: 'cancelled' }] });
  });

  it('cancels what a foreach iteration left unfinished when the next one starts', () => {
    const x = view([
      e.started('x1'),
      e.stepStarted(0, 'each', 'foreach', e.t(1)),
      e.foreachStarted(0, 'each', ['a', 'b'], e.t(1)),
      e.iterationStarted(0, 'each', 0, e.t(1)),
      e.stepStarted(1, 'reserve', 'execute', e.t(1), { thread: '0/0', path: ['each', 0, 'reserve'] }),
      e.iterationStarted(0, 'each', 1, e.t(2)),
    ]);
    expect(x.steps.map((step) => [step.step_id, step.status, step.path])).toEqual([
      ['each', 'running', ['each']],
      ['reserve', 'cancelled', ['each', 0, 'reserve']],
    ]);
  });

  it('takes only a retry once ended; a retry reopens the failed run', () => {
    const error = { kind: 'network' as const, message: 'reset' };
    const failedRun = [e.started('x1'), e.stepStarted(0, 'call', 'execute', e.t(1)), e.stepFailed(0, 'call', error, e.t(2)), e.failed('call', error, e.t(2))];
    const after = fold([...failedRun, e.decisionMade(0, 'call', 'allowed', e.t(3))])!;
    expect(after.view).toMatchObject({ status: 'failed', decision: null, revision: 4, updated_at: e.t(2), error });
    expect(view([...failedRun, e.retried('call', 0, e.t(10))])).toMatchObject({
      status: 'running',
      error: null,
      completed_at: null,
      duration_ms: null,
      steps: [{ status: 'retrying', completed_at: null, error }],
    });
  });

  it('skips events it already reflects, and refuses ones that cannot apply', () => {
    const events = recordStream('execution', T, 'x1', [e.started('x1'), e.stepStarted(0, 'a', 'condition', e.t(1))]);
    const record = events.reduce<ExecutionRecord | undefined>((current, event) => evolveExecution(current, T, event) ?? current, undefined);
    expect(evolveExecution(record, T, events[1]!)).toBeUndefined();
    expect(evolveExecution(record, T, events[0]!)).toBeUndefined();
    expect(() => fold([e.stepStarted(0, 'a', 'condition', e.t(1))])).toThrow(/before the execution started/);
    expect(() => fold([e.started('x1'), e.stepStarted(1, 'a', 'condition', e.t(1))])).toThrow(/run 1 started after 0 runs/);
    expect(() => fold([e.started('x1'), e.stepCompleted(0, 'a', null, e.t(1))])).toThrow(/no step run 0/);
  });
});
