import type { ExecutionError, Step } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './failure.js';
import { Driver, at, definitionOf } from './spec-driver.js';

type Retry = NonNullable<Extract<Step, { type: 'execute' }>['retry']>;

const callWith = (retry: Retry | undefined, extra: Partial<Extract<Step, { type: 'execute' }>> = {}) =>
  definitionOf([
    {
      id: 'call',
      type: 'execute',
      execute: [
        { type: 'notify', recipients: ['a@b.c'], message: 'before' },
        { type: 'http_request', url: 'https://api.test/x' },
      ],
      ...(retry === undefined ? {} : { retry }),
      ...extra,
    },
  ]);

const e5xx: ExecutionError = { kind: 'http_5xx', message: 'Bad Gateway', status: 502 };

describe('retry delays', () => {
  const policy = (backoff: Retry['backoff'], extra: Partial<Retry> = {}): Retry => ({ max_attempts: 5, backoff, retry_on: ['*'], ...extra });

  it.each([
    ['fixed', [1000, 1000, 1000, 1000]],
    ['linear', [1000, 2000, 3000, 4000]],
    ['exponential', [1000, 2000, 4000, 8000]],
  ] as const)('%s backoff from the default 1s initial interval', (backoff, delays) => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy(backoff), attempt))).toEqual(delays);
  });

  it('starts from initial_interval and stops growing at max_interval', () => {
    const exponential = policy('exponential', { initial_interval: '500ms', max_interval: '3s' });
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(exponential, attempt))).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(retryDelayMs(policy('linear', { initial_interval: '2s', max_interval: '5s' }), 3)).toBe(5000);
  });
});

describe('step retry', () => {
  it('schedules the next attempt after the backoff and resumes at the failed item with the same idempotency key', () => {
    const d = Driver.start(callWith({ max_attempts: 3, backoff: 'exponential', initial_interval: '10s', retry_on: ['5xx'] }));
    d.complete({ deliveries: [] }, 'notify');
    const firstKey = d.effect('http_request').idempotency_key;
    d.later(1).fail(e5xx);
    expect(d.history.at(-1)).toEqual({
      type: 'StepFailed',
      data: { run: 0, step_id: 'call', path: ['call'], attempt: 1, error: e5xx, retry_at: at(11), next: null, at: at(1) },
    });
    expect(d.state.status).toBe('running');
    expect(d.work.timers).toEqual([{ timer_id: 'step_retry:0:1', kind: 'step_retry', due_at: at(11), step_id: 'call' }]);

    const resumed = d.fire('step_retry');
    expect(resumed.map((event) => event.type)).toEqual(['StepStarted', 'EffectRequested']);
    expect(resumed[1]?.type === 'EffectRequested' && resumed[1].data).toMatchObject({ kind: 'http_request', idempotency_key: firstKey, item_index: 1 });

    d.later(1).fail(e5xx);
    expect(d.work.timers[0]?.due_at).toBe(at(32));
    d.fire('step_retry');
    d.complete({ status: 200 });
    expect(d.state.status).toBe('completed');
    expect(d.state.status !== 'not_started' && d.state.steps.map((entry) => [entry.step_id, entry.status, entry.attempts])).toEqual([['call', 'completed', 3]]);
  });

  it('gives up after max_attempts and fails the execution with the last error', () => {
    const d = Driver.start(callWith({ max_attempts: 2, backoff: 'fixed', retry_on: ['*'] }));
    d.complete({}, 'notify');
    d.fail(e5xx);
    d.fire('step_retry');
    d.fail({ kind: 'timeout', message: 'slow' });
    expect(d.state.status === 'failed' && d.state.error).toEqual({ kind: 'timeout', message: 'slow' });
  });

  it.each([
    [['5xx'], { kind: 'http_4xx', message: 'no', status: 400 }, false],
    [['4xx'], { kind: 'http_4xx', message: 'no', status: 400 }, true],
    [['network'], { kind: 'network', message: 'ECONNRESET' }, true],
    [['timeout'], { kind: 'network', message: 'ECONNRESET' }, false],
    [['*'], { kind: 'other', message: 'odd' }, true],
    [['*'], { kind: 'invalid', message: 'unknown secret' }, false],
  ] as const)('retry_on %j with a %j failure retries: %s', (retryOn, error, retries) => {
    const d = Driver.start(callWith({ max_attempts: 3, backoff: 'fixed', retry_on: [...retryOn] }));
    d.complete({}, 'notify');
    d.fail(error);
    expect(d.work.timers.some((timer) => timer.kind === 'step_retry')).toBe(retries);
    expect(d.state.status).toBe(retries ? 'running' : 'failed');
  });

  it('goes to on_error once retries are exhausted', () => {
    const definition = definitionOf([
      { id: 'call', type: 'execute', execute: [{ type: 'http_request', url: 'https://x' }], retry: { max_attempts: 2, backoff: 'fixed', retry_on: ['5xx'] }, on_error: 'fallback' },
      { id: 'fallback', type: 'action', action: { type: 'block' } },
    ]);
    const d = Driver.start(definition);
    d.fail(e5xx);
    d.fire('step_retry');
    d.fail(e5xx);
    expect(d.timeline()).toEqual(['call:failed', 'fallback:completed']);
    expect(d.state.status === 'completed' && d.state.decision).toBe('blocked');
  });
});

describe('step timeout', () => {
  it('fails a pending effect as a timeout at the attempt deadline, then retries', () => {
    const d = Driver.start(callWith({ max_attempts: 2, backoff: 'fixed', retry_on: ['timeout'] }, { timeout: '30s' }));
    expect(d.effect('notify').deadline).toBe(at(30));
    expect(d.work.timers).toEqual([{ timer_id: 'step_timeout:0:1', kind: 'step_timeout', due_at: at(30), step_id: 'call' }]);
    const effectId = d.effect('notify').effect_id;
    const fired = d.fire('step_timeout');
    expect(fired.map((event) => event.type)).toEqual(['EffectFailed', 'StepFailed']);
    expect(fired[1]?.type === 'StepFailed' && fired[1].data.error.kind).toBe('timeout');
    // The late answer of the timed-out attempt changes nothing.
    const late = d.send({ type: 'RecordEffectResult', data: { effect_id: effectId, outcome: { status: 'completed', result: {} }, now: at(31) } });
    expect(late).toEqual([]);
    d.fire('step_retry');
    expect(d.effect('notify').deadline).toBe(at(61));
  });

  it('ignores a step timeout timer that fires before its due time or after the step moved on', () => {
    const d = Driver.start(callWith(undefined, { timeout: '30s' }));
    const timer = d.work.timers[0]!;
    expect(d.send({ type: 'FireTimer', data: { kind: 'step_timeout', timer_id: timer.timer_id, now: at(29) } })).toEqual([]);
    d.complete({}, 'notify');
    d.complete({ status: 200 });
    expect(d.state.status).toBe('completed');
    expect(d.send({ type: 'FireTimer', data: { kind: 'step_timeout', timer_id: timer.timer_id, now: at(30) } })).toEqual([]);
  });
});
