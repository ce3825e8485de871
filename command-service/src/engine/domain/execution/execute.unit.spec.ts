import type { ExecutionEvent } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../testing/decider-spec.js';
import { executionDecider } from './decide.js';
import { Driver, T0, at, definitionOf, startCommand } from './spec-driver.js';

const spec = deciderSpec(executionDecider);

const callThenAllow = definitionOf([
  { id: 'call', type: 'execute', execute: [{ type: 'http_request', url: 'https://api.test/orders/{{order.id}}', method: 'GET' }], next: 'ok' },
  { id: 'ok', type: 'action', action: { type: 'allow', reason: 'order {{order.id}} is fine' } },
]);

describe('execute step', () => {
  it('requests each effect and pauses until its result is recorded', () => {
    const start = startCommand(callThenAllow, { payload: { order: { id: 'o-7' } } });
    const events = executionDecider.decide(start, executionDecider.initialState);
    expect(events.map((event) => event.type)).toEqual(['ExecutionStarted', 'StepStarted', 'EffectRequested']);
    expect(events[2]).toEqual({
      type: 'EffectRequested',
      data: {
        effect_id: 'ex-1:effect:0',
        run: 0,
        step_id: 'call',
        path: ['call'],
        item_index: 0,
        kind: 'http_request',
        request: { url: 'https://api.test/orders/o-7', method: 'GET', headers: {}, body: null },
        idempotency_key: 'ex-1:main:call:0:0',
        deadline: null,
        unresolved: [],
        at: T0,
      },
    });
  });

  it('continues with next once the effect completed, and records the decision', () => {
    const start = executionDecider.decide(startCommand(callThenAllow, { payload: { order: { id: 'o-7' } } }), executionDecider.initialState);
    spec
      .given(start)
      .when({ type: 'RecordEffectResult', data: { effect_id: 'ex-1:effect:0', outcome: { status: 'completed', result: { status: 200 } }, now: at(2) } })
      .then([
        { type: 'EffectCompleted', data: { effect_id: 'ex-1:effect:0', result: { status: 200 }, at: at(2) } },
        { type: 'StepCompleted', data: { run: 0, step_id: 'call', path: ['call'], output: { results: [{ status: 200 }] }, next: 'ok', at: at(2) } },
        { type: 'StepStarted', data: { run: 1, thread: 'main', step_id: 'ok', step_type: 'action', path: ['ok'], attempt: 1, at: at(2) } },
        { type: 'DecisionMade', data: { run: 1, step_id: 'ok', path: ['ok'], decision: 'allowed', reason: 'order o-7 is fine', at: at(2) } },
        { type: 'StepCompleted', data: { run: 1, step_id: 'ok', path: ['ok'], output: { results: [] }, next: null, at: at(2) } },
        { type: 'ExecutionCompleted', data: { decision: 'allowed', at: at(2), duration_ms: 2000 } },
      ]);
  });

  it('merges a JSON object answer of an http_request into the context', () => {
    const d = Driver.start(callThenAllow, { payload: { order: { id: 'o-7', total: 5 } } });
    d.complete({ status: 200, body: { order: { status: 'paid' }, data: { records_count: 3 } } });
    expect(d.state.status === 'completed' && d.state.context).toMatchObject({ order: { id: 'o-7', total: 5, status: 'paid' }, data: { records_count: 3 } });
  });

  it('renders every item type into its request, keeping secrets as markers', () => {
    const d = Driver.start(
      definitionOf([
        {
          id: 'all',
          type: 'execute',
          execute: [
            { type: 'webhook', url: 'https://hooks.test', headers: { Authorization: 'Bearer {{secrets.token}}' }, body: { total: '{{order.total}}', missing: '{{order.nope}}' } },
            { type: 'notify', recipients: ['ops@example.com', '{{order.owner_email}}', '{{order.nobody}}'], message: 'Order {{order.id}}: ${{order.total}}' },
            { type: 'create_record', entity: 'task', data: { title: 'Follow {{order.id}}' } },
            { type: 'update_record', entity: 'order', entity_id: '{{order.id}}', data: { flagged_at: '{{now}}' } },
            { type: 'emit', event_type: 'order.flagged', payload: { id: '{{order.id}}' } },
          ],
        },
      ]),
      { payload: { order: { id: 'o-1', total: 99.5, owner_email: 'owner@example.com' } } },
    );
    const requests: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      requests.push(d.effect().request);
      d.complete({ ok: true });
    }
    expect(requests).toEqual([
      { url: 'https://hooks.test', method: 'POST', headers: { Authorization: 'Bearer \uFDD0secrets.token\uFDD1' }, body: { total: 99.5, missing: null } },
      { recipients: ['ops@example.com', 'owner@example.com'], message: 'Order o-1: $99.5' },
      { event_type: 'record.create_requested', entity: 'task', entity_id: null, data: { title: 'Follow o-1' } },
      { event_type: 'record.update_requested', entity: 'order', entity_id: 'o-1', data: { flagged_at: T0 } },
      { event_type: 'order.flagged', payload: { id: 'o-1' } },
    ]);
    const first = d.history.find((event) => event.type === 'EffectRequested');
    expect(first?.type === 'EffectRequested' && first.data.unresolved).toEqual(['order.nope']);
    expect(JSON.stringify(d.history)).not.toContain('"token"');
    expect(d.state.status).toBe('completed');
  });

  it('completes a log item inline without asking the runtime', () => {
    const d = Driver.start(definitionOf([{ id: 'say', type: 'execute', execute: [{ type: 'log', message: 'hello {{who}}', level: 'warn' }] }]), {
      payload: { who: 'world' },
    });
    expect(d.types()).toEqual(['ExecutionStarted', 'StepStarted', 'EffectRequested', 'EffectCompleted', 'StepCompleted', 'ExecutionCompleted']);
    expect(d.history[2]?.type === 'EffectRequested' && d.history[2].data.request).toEqual({ message: 'hello world', level: 'warn' });
    expect(d.state.status === 'completed' && d.state.decision).toBe('executed');
  });

  it('fails the step as invalid when the URL renders empty, and goes to on_error', () => {
    const d = Driver.start(
      definitionOf([
        { id: 'hook', type: 'execute', execute: [{ type: 'webhook', url: '{{integrations.erp.url}}' }], on_error: 'blocked' },
        { id: 'blocked', type: 'action', action: { type: 'block' } },
      ]),
    );
    const failed = d.history.find((event) => event.type === 'StepFailed');
    expect(failed?.type === 'StepFailed' && failed.data).toMatchObject({ step_id: 'hook', error: { kind: 'invalid' }, retry_at: null, next: 'blocked' });
    expect(d.timeline()).toEqual(['hook:failed', 'blocked:completed']);
    expect(d.state.status === 'completed' && d.state.decision).toBe('blocked');
  });

  it('fails the execution with the error of a failed step that has no on_error', () => {
    const d = Driver.start(callThenAllow, { payload: { order: { id: 'o-1' } } });
    d.later(1).fail({ kind: 'http_4xx', message: 'Not Found', status: 404 });
    expect(d.state.status).toBe('failed');
    expect(d.history.at(-1)).toEqual({
      type: 'ExecutionFailed',
      data: { step_id: 'call', path: ['call'], error: { kind: 'http_4xx', message: 'Not Found', status: 404 }, at: at(1), duration_ms: 1000 },
    });
  });
});

describe('action step', () => {
  const decisions = (types: string[], aliased = false): ExecutionEvent[] =>
    Driver.start(
      definitionOf(
        types.map((type, index) => ({
          id: `a${index}`,
          type: 'action' as const,
          action: (aliased ? { action: type } : { type }) as { type: 'allow' },
          ...(index + 1 < types.length ? { next: `a${index + 1}` } : {}),
        })),
      ),
    ).history;
  const finalDecision = (events: ExecutionEvent[]) => {
    const last = events.at(-1);
    return last?.type === 'ExecutionCompleted' ? last.data.decision : undefined;
  };

  it.each([
    [['allow'], 'allowed'],
    [['block'], 'blocked'],
    [['require_approval'], 'pending_approval'],
    [['execute'], 'executed'],
    [['allow', 'block'], 'blocked'],
    [['block', 'execute', 'allow'], 'allowed'],
  ])('%j decides %s (the last allow/block/require_approval wins)', (types, expected) => {
    expect(finalDecision(decisions(types))).toBe(expected);
  });

  it('accepts action.action as an alias of action.type', () => {
    expect(finalDecision(decisions(['block'], true))).toBe('blocked');
  });

  it('sets the decision before running its execute list', () => {
    const d = Driver.start(
      definitionOf([{ id: 'flag', type: 'action', action: { type: 'block', reason: 'r' }, execute: [{ type: 'notify', recipients: ['a@b.c'], message: 'm' }] }]),
    );
    expect(d.types()).toEqual(['ExecutionStarted', 'StepStarted', 'DecisionMade', 'EffectRequested']);
    expect(d.state.status === 'running' && d.state.decision).toBe('blocked');
  });
});
