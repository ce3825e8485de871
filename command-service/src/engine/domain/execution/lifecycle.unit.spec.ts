import type { ExecutionEvent } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../testing/decider-spec.js';
import { executionDecider } from './decide.js';
import { Driver, T0, at, definitionOf, startCommand } from './spec-driver.js';

const spec = deciderSpec(executionDecider);

const slowCall = definitionOf(
  [
    { id: 'call', type: 'execute', execute: [{ type: 'http_request', url: 'https://x' }], next: 'ok' },
    { id: 'ok', type: 'action', action: { type: 'allow' } },
  ],
  { timeout: '5m' },
);

describe('start', () => {
  it('starts with the payload at top level and under event, pinned to the definition, with its timeout', () => {
    const [started] = executionDecider.decide(startCommand(slowCall, { payload: { order: { id: 'o-1' } } }), executionDecider.initialState);
    expect(started).toEqual({
      type: 'ExecutionStarted',
      data: {
        execution_id: 'ex-1',
        workflow_id: 'wf',
        workflow_revision: 1,
        workflow_version: '1.0.0',
        definition: slowCall,
        trigger: { kind: 'event', event_id: 'evt-1', event_type: 'order.created', source: 'test' },
        context: { order: { id: 'o-1' }, event: { order: { id: 'o-1' }, id: 'evt-1', type: 'order.created', source: 'test', received_at: T0 } },
        started_at: T0,
        timeout_at: at(300),
      },
    });
  });

  it('is a no-op when repeated, and a conflict for another workflow under the same id', () => {
    const started = executionDecider.decide(startCommand(slowCall), executionDecider.initialState);
    spec.given(started).when(startCommand(slowCall)).then([]);
    const other = startCommand(slowCall);
    spec.given(started).when({ ...other, data: { ...other.data, workflow_id: 'other' } } as typeof other).thenThrows('conflict', 'execution-exists');
  });
});

describe('context loading', () => {
  const loading = definitionOf([{ id: 'say', type: 'execute', execute: [{ type: 'log', message: '{{customer.tier}} {{customer.profile.tier}}' }] }], {
    context: { load: ['customer.profile', 'order.details'] },
  });

  it('asks for the resources before the first step and merges each into its entity and its own path', () => {
    const d = Driver.start(loading, { payload: { customer: { id: 'c-1' } } });
    expect(d.types()).toEqual(['ExecutionStarted', 'EffectRequested']);
    expect(d.effect().request).toEqual({ resources: ['customer.profile', 'order.details'] });
    const loaded = d.complete({ values: { 'customer.profile': { tier: 'gold' } }, resources: [{ name: 'order.details', status: 'failed', error: '503' }] });
    expect(loaded[1]).toEqual({
      type: 'ContextLoaded',
      data: {
        resources: [
          { name: 'customer.profile', status: 'loaded' },
          { name: 'order.details', status: 'failed', error: '503' },
        ],
        values: { 'customer.profile': { tier: 'gold' } },
        at: T0,
      },
    });
    expect(d.state.status === 'completed' && d.state.context['customer']).toEqual({ id: 'c-1', tier: 'gold', profile: { tier: 'gold' } });
    expect(d.history.find((event) => event.type === 'EffectRequested' && event.data.kind === 'log')?.data).toMatchObject({ request: { message: 'gold gold' } });
  });

  it('records every resource as skipped when nothing is configured, and goes on', () => {
    const d = Driver.start(loading);
    d.complete({ values: {} });
    expect(d.history.find((event) => event.type === 'ContextLoaded')?.data).toMatchObject({
      resources: [
        { name: 'customer.profile', status: 'skipped' },
        { name: 'order.details', status: 'skipped' },
      ],
    });
    expect(d.state.status).toBe('completed');
  });

  it('records a failed load and goes on with what the context has', () => {
    const d = Driver.start(loading);
    d.fail({ kind: 'network', message: 'enrichment down' });
    expect(d.history.find((event) => event.type === 'ContextLoaded')?.data).toMatchObject({
      resources: [{ name: 'customer.profile', status: 'failed', error: 'enrichment down' }, { name: 'order.details', status: 'failed' }],
    });
    expect(d.state.status).toBe('completed');
  });
});

describe('execution timeout', () => {
  it('times out an execution still running at timeout_at, and ignores a late effect result', () => {
    const d = Driver.start(slowCall);
    const effectId = d.effect().effect_id;
    expect(d.work.timers).toEqual([{ timer_id: 'execution_timeout', kind: 'execution_timeout', due_at: at(300), step_id: null }]);
    expect(d.fire('execution_timeout')).toEqual([{ type: 'ExecutionTimedOut', data: { step_id: 'call', reason: 'execution_timeout', at: at(300), duration_ms: 300_000 } }]);
    expect(d.timeline()).toEqual(['call:timed_out']);
    expect(d.work).toEqual({ status: 'timed_out', effects: [], timers: [], waits: [], approvals: [], withdrawals: [], advance: false });
    expect(d.send({ type: 'RecordEffectResult', data: { effect_id: effectId, outcome: { status: 'completed', result: {} }, now: at(301) } })).toEqual([]);
  });

  it('does not fire for an execution that completed in time', () => {
    const d = Driver.start(slowCall);
    d.complete();
    expect(d.send({ type: 'FireTimer', data: { kind: 'execution_timeout', timer_id: 'execution_timeout', now: at(300) } })).toEqual([]);
  });
});

describe('cancel', () => {
  it('cancels a running execution: unfinished steps end as cancelled, nothing is awaited', () => {
    const d = Driver.start(slowCall);
    expect(d.later(5).send({ type: 'CancelExecution', data: { by: 'ops-1', reason: 'duplicate order', now: d.now } })).toEqual([
      { type: 'ExecutionCancelled', data: { by: 'ops-1', reason: 'duplicate order', at: at(5), duration_ms: 5000 } },
    ]);
    expect(d.timeline()).toEqual(['call:cancelled']);
    expect(d.work.effects).toEqual([]);
  });

  it('refuses to cancel an execution that ended or never started', () => {
    const d = Driver.start(slowCall);
    d.complete();
    spec.given(d.history).when({ type: 'CancelExecution', data: { by: 'x', reason: null, now: at(9) } }).thenThrows('illegal_state');
    spec.given([]).when({ type: 'CancelExecution', data: { by: 'x', reason: null, now: at(9) } }).thenThrows('not_found');
  });
});

describe('retry a failed execution', () => {
  const failing = definitionOf([
    { id: 'first', type: 'execute', execute: [{ type: 'log', message: 'once' }], next: 'call' },
    { id: 'call', type: 'action', action: { type: 'block' }, execute: [{ type: 'notify', recipients: ['a@b.c'], message: 'm' }, { type: 'http_request', url: 'https://x' }], next: 'ok' },
    { id: 'ok', type: 'execute', execute: [{ type: 'log', message: 'done' }] },
  ]);

  it('resumes from the failed step, at its failed item, and completes', () => {
    const d = Driver.start(failing);
    d.complete({}, 'notify');
    const key = d.effect().idempotency_key;
    d.fail({ kind: 'http_5xx', message: 'down', status: 503 });
    expect(d.state.status).toBe('failed');
    const retried = d.later(60).send({ type: 'RetryExecution', data: { by: 'ops-1', now: d.now } });
    expect(retried.slice(0, 3)).toEqual([
      { type: 'ExecutionRetried', data: { from_step_id: 'call', run: 1, by: 'ops-1', at: at(60) } },
      { type: 'StepStarted', data: { run: 1, thread: 'main', step_id: 'call', step_type: 'action', path: ['call'], attempt: 2, at: at(60) } },
      expect.objectContaining({ type: 'EffectRequested', data: expect.objectContaining({ kind: 'http_request', idempotency_key: key }) as unknown }) as ExecutionEvent,
    ]);
    expect(d.state.status).toBe('running');
    d.complete();
    expect(d.timeline()).toEqual(['first:completed', 'call:completed', 'ok:completed']);
    expect(d.state.status === 'completed' && d.state.decision).toBe('blocked');
  });

  describe('under a definition timeout', () => {
    const bounded = { ...failing, timeout: '15m' };
    const retry = (seconds: number) => ({ type: 'RetryExecution' as const, data: { by: 'ops-1', now: at(seconds) } });
    const executionTimer = (seconds: number) => ({ type: 'FireTimer' as const, data: { kind: 'execution_timeout' as const, timer_id: 'execution_timeout', now: at(seconds) } });
    // Failed at once; the first deadline (15m) has long passed when someone retries an hour later.
    const failedEarly = () => {
      const d = Driver.start(bounded);
      d.complete({}, 'notify');
      d.fail({ kind: 'http_5xx', message: 'down', status: 503 });
      return d;
    };

    it('starts a fresh deadline at the retry, recorded on ExecutionRetried, so the call is not timed out at once', () => {
      const d = failedEarly();
      const retried = d.later(3600).send(retry(3600));
      expect(retried[0]).toEqual({ type: 'ExecutionRetried', data: { from_step_id: 'call', run: 1, by: 'ops-1', at: at(3600), timeout_at: at(3600 + 900) } });
      expect(d.effect().kind).toBe('http_request');
      expect(d.work.timers).toContainEqual({ timer_id: 'execution_timeout', kind: 'execution_timeout', due_at: at(4500), step_id: null });
      spec.given(d.history).when(executionTimer(3601)).then([]);
      spec.given(d.history).when(executionTimer(4500)).then([
        { type: 'ExecutionTimedOut', data: { step_id: 'call', reason: 'execution_timeout', at: at(4500), duration_ms: 4_500_000 } },
      ]);
      d.complete();
      expect(d.state.status).toBe('completed');
    });

    it('keeps the first deadline for a retry recorded before ExecutionRetried carried one', () => {
      const d = failedEarly();
      const failed = [...d.history];
      const [retried, ...rest] = d.later(3600).send(retry(3600));
      const { timeout_at: _dropped, ...v1 } = (retried as Extract<ExecutionEvent, { type: 'ExecutionRetried' }>).data;
      spec.given([...failed, { type: 'ExecutionRetried', data: v1 }, ...rest]).when(executionTimer(3601)).then([
        { type: 'ExecutionTimedOut', data: { step_id: 'call', reason: 'execution_timeout', at: at(3601), duration_ms: 3_601_000 } },
      ]);
    });
  });

  it('refuses to retry an execution that did not fail', () => {
    const d = Driver.start(failing);
    spec.given(d.history).when({ type: 'RetryExecution', data: { by: 'x', now: at(1) } }).thenThrows('illegal_state');
  });
});

describe('moved-on guards', () => {
  it('produces nothing for commands aimed at an execution that ended', () => {
    const d = Driver.start(slowCall);
    d.send({ type: 'CancelExecution', data: { by: 'x', reason: null, now: at(1) } });
    const given = spec.given(d.history);
    given.when({ type: 'Advance', data: { now: at(2) } }).then([]);
    given.when({ type: 'DeliverEvent', data: { event_id: 'e', event_type: 'order.created', payload: {}, now: at(2) } }).then([]);
    given.when({ type: 'ResolveApproval', data: { approval_id: 'a', status: 'approved', decided_by: 'x', comment: null, now: at(2) } }).then([]);
    given.when({ type: 'FireTimer', data: { kind: 'execution_timeout', timer_id: 'execution_timeout', now: at(900) } }).then([]);
    given.when({ type: 'RecordEffectResult', data: { effect_id: 'ex-1:effect:0', outcome: { status: 'completed', result: {} }, now: at(2) } }).then([]);
  });

  it('produces nothing for commands aimed at an execution that never started', () => {
    spec.given([]).when({ type: 'Advance', data: { now: at(1) } }).then([]);
    spec.given([]).when({ type: 'FireTimer', data: { kind: 'step_retry', timer_id: 'step_retry:0:1', now: at(1) } }).then([]);
  });

  it('ignores an unknown timer and an Advance with nothing to do', () => {
    const d = Driver.start(slowCall);
    spec.given(d.history).when({ type: 'FireTimer', data: { kind: 'step_retry', timer_id: 'step_retry:0:1', now: at(1000) } }).then([]);
    spec.given(d.history).when({ type: 'Advance', data: { now: at(1) } }).then([]);
  });
});
