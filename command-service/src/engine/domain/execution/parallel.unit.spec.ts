import type { ExecutionError, Step } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { Driver, definitionOf } from './spec-driver.js';

type Strategy = 'all_must_pass' | 'any_can_pass' | 'best_effort';
type ParallelStep = Extract<Step, { type: 'parallel' }>;

const call = (id: string): Step => ({ id, type: 'execute', execute: [{ type: 'http_request', url: `https://checks.test/${id}` }] });

const checks = (strategy: Strategy, routes: Partial<Pick<ParallelStep, 'on_false' | 'on_error'>> = {}) =>
  definitionOf([
    { id: 'checks', type: 'parallel', parallel: { strategy, steps: [call('a'), call('b'), call('c')] }, next: 'pass', ...routes },
    { id: 'pass', type: 'action', action: { type: 'allow' } },
    { id: 'not_passed', type: 'action', action: { type: 'block' } },
    { id: 'errored', type: 'action', action: { type: 'block', reason: 'error' } },
  ]);

const down: ExecutionError = { kind: 'http_5xx', message: 'down', status: 503 };

/** Answers the three branch calls: `true` succeeds, `false` fails with a 503. */
function run(definition: ReturnType<typeof checks>, answers: readonly boolean[]): Driver {
  const d = Driver.start(definition);
  answers.forEach((ok, index) => {
    const effect = d.work.effects.find((candidate) => (candidate.request as { url: string }).url.endsWith(`/${'abc'[index]}`));
    if (effect === undefined) throw new Error(`branch ${index} has no pending call`);
    const outcome = ok ? { status: 'completed' as const, result: { status: 200 } } : { status: 'failed' as const, error: down };
    d.send({ type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome, now: d.now } });
  });
  return d;
}

const outcome = (d: Driver) => (d.state.status === 'not_started' ? [] : d.state.steps.filter((entry) => ['pass', 'not_passed', 'errored'].includes(entry.step_id)).map((entry) => entry.step_id));

describe('parallel step', () => {
  it('starts every branch at once, so their effects are pending together', () => {
    const d = Driver.start(checks('all_must_pass'));
    expect(d.types()).toEqual(['ExecutionStarted', 'StepStarted', 'ParallelStarted', 'StepStarted', 'EffectRequested', 'StepStarted', 'EffectRequested', 'StepStarted', 'EffectRequested']);
    expect(d.history[2]).toMatchObject({ type: 'ParallelStarted', data: { branches: ['a', 'b', 'c'], strategy: 'all_must_pass' } });
    expect(d.work.effects.map((effect) => effect.path)).toEqual([['checks', 'a'], ['checks', 'b'], ['checks', 'c']]);
    expect(d.state.status).toBe('running');
  });

  it('waits for every branch, in whatever order they finish', () => {
    const d = Driver.start(checks('all_must_pass'));
    const [a, b, c] = d.work.effects;
    for (const effect of [c!, a!]) d.send({ type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome: { status: 'completed', result: {} }, now: d.now } });
    expect(d.state.status).toBe('running');
    d.send({ type: 'RecordEffectResult', data: { effect_id: b!.effect_id, outcome: { status: 'completed', result: {} }, now: d.now } });
    expect(outcome(d)).toEqual(['pass']);
    expect(d.history.find((event) => event.type === 'StepCompleted' && event.data.step_id === 'checks')?.data).toMatchObject({
      output: { strategy: 'all_must_pass', branches: { a: 'passed', b: 'passed', c: 'passed' }, passed: true },
      next: 'pass',
    });
  });

  it.each([
    ['all_must_pass', [true, true, true], 'pass'],
    ['all_must_pass', [true, false, true], 'not_passed'],
    ['any_can_pass', [false, true, false], 'pass'],
    ['any_can_pass', [false, false, false], 'not_passed'],
    ['best_effort', [false, false, false], 'pass'],
  ] as const)('%s with branch results %j goes to %s', (strategy, answers, expected) => {
    expect(outcome(run(checks(strategy, { on_false: 'not_passed', on_error: 'errored' }), answers))).toEqual([expected]);
  });

  it('goes to on_error when it does not pass and has no on_false', () => {
    expect(outcome(run(checks('all_must_pass', { on_error: 'errored' }), [true, false, true]))).toEqual(['errored']);
  });

  it('fails the execution with the failed branch error when it has neither', () => {
    const d = run(checks('all_must_pass'), [true, false, true]);
    expect(d.state.status === 'failed' && d.state.error).toEqual(down);
    expect(d.history.at(-1)).toMatchObject({ type: 'ExecutionFailed', data: { step_id: 'checks', path: ['checks'] } });
  });

  it('lets a branch retry on its own while the others have finished', () => {
    const definition = definitionOf([
      {
        id: 'checks',
        type: 'parallel',
        parallel: { strategy: 'all_must_pass', steps: [call('a'), { ...call('b'), retry: { max_attempts: 2, backoff: 'fixed', retry_on: ['5xx'] } }] },
        next: 'pass',
      },
      { id: 'pass', type: 'action', action: { type: 'allow' } },
    ]);
    const d = Driver.start(definition);
    d.complete({}, 'http_request');
    d.fail(down);
    expect(d.work.timers.map((timer) => timer.step_id)).toEqual(['b']);
    d.fire('step_retry');
    d.complete();
    expect(d.state.status === 'completed' && d.state.decision).toBe('allowed');
  });

  it('abandons unfinished branches when the block exceeds its timeout', () => {
    const definition = definitionOf([
      { id: 'checks', type: 'parallel', parallel: { strategy: 'all_must_pass', steps: [call('a'), call('b')] }, timeout: '10s', next: 'pass', on_error: 'errored' },
      { id: 'pass', type: 'action', action: { type: 'allow' } },
      { id: 'errored', type: 'action', action: { type: 'block', reason: 'error' } },
    ]);
    const d = Driver.start(definition);
    const [a, b] = d.work.effects;
    d.send({ type: 'RecordEffectResult', data: { effect_id: a!.effect_id, outcome: { status: 'completed', result: {} }, now: d.now } });
    const fired = d.fire('step_timeout');
    expect(fired[0]).toMatchObject({ type: 'StepFailed', data: { step_id: 'checks', error: { kind: 'timeout' }, next: 'errored' } });
    expect(d.timeline()).toEqual(['checks:failed', 'a:completed', 'b:cancelled', 'errored:completed']);
    expect(d.send({ type: 'RecordEffectResult', data: { effect_id: b!.effect_id, outcome: { status: 'completed', result: {} }, now: d.now } })).toEqual([]);
  });
});
