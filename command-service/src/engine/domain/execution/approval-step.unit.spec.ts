import { describe, expect, it } from 'vitest';
import { Driver, T0, at, definitionOf } from './spec-driver.js';

const gate = definitionOf(
  [
    {
      id: 'gate',
      type: 'approval',
      approval: { approver_role: 'sales_manager', reason: 'Order {{order.id}} over limit', expires_in: '24h' },
      on_approved: 'yes',
      on_rejected: 'no',
      on_expired: 'expired',
    },
    { id: 'yes', type: 'action', action: { type: 'allow' } },
    { id: 'no', type: 'action', action: { type: 'block', reason: 'rejected' } },
    { id: 'expired', type: 'action', action: { type: 'block', reason: 'nobody decided' } },
  ],
  { trigger: { type: 'event', event: 'order.created' } },
);

const start = () => Driver.start(gate, { payload: { order: { id: 'o-1' } } });

describe('approval step', () => {
  it('requests an approval, asks the runtime to create it, and waits for the decision', () => {
    const d = start();
    const approvalId = d.work.approvals[0]?.approval_id ?? '';
    expect(approvalId).toMatch(/^ex-1\.apr-[0-9a-f]{16}$/);
    const expected = {
      approval_id: approvalId,
      approver_role: 'sales_manager',
      entity: 'order',
      entity_id: 'o-1',
      reason: 'Order o-1 over limit',
      data: {},
      expires_at: at(24 * 3600),
      blocking: true,
    };
    expect(d.history.find((event) => event.type === 'ApprovalRequested')?.data).toEqual({ run: 0, step_id: 'gate', path: ['gate'], ...expected, at: T0 });
    expect(d.effect('create_approval_request').request).toEqual({ ...expected, execution_id: 'ex-1', workflow_id: 'wf', step_id: 'gate' });
    d.complete({ approval_id: approvalId });
    expect(d.state.status).toBe('waiting');
    expect(d.work).toMatchObject({ effects: [], timers: [], approvals: [{ approval_id: approvalId, step_id: 'gate', blocking: true }] });
  });

  it.each([
    ['approved', 'yes:completed', 'allowed'],
    ['rejected', 'no:completed', 'blocked'],
    ['expired', 'expired:completed', 'blocked'],
  ] as const)('follows on_%s', (status, next, decision) => {
    const d = start();
    d.complete({});
    const events = d.later(10).resolve(status);
    expect(events[0]).toMatchObject({ type: 'ApprovalResolved', data: { status, decided_by: status === 'expired' ? null : 'manager-1', at: at(10) } });
    expect(d.timeline()).toEqual(['gate:completed', next]);
    expect(d.state.status === 'completed' && d.state.decision).toBe(decision);
  });

  it('accepts the decision even before the creation was confirmed, and forgets the creation effect', () => {
    const d = start();
    d.resolve('approved');
    expect(d.state.status).toBe('completed');
  });

  it('ignores a decision for another approval, or one that comes after the step moved on', () => {
    const d = start();
    expect(d.resolve('approved', 'someone-else')).toEqual([]);
    const id = d.work.approvals[0]!.approval_id;
    d.resolve('rejected', id);
    expect(d.resolve('approved', id)).toEqual([]);
  });

  describe('when the execution ends while the approval is pending', () => {
    const timed = { ...gate, timeout: '1h' };

    it('lists it for withdrawal once cancelled, whether or not its creation was confirmed', () => {
      const d = start();
      const id = d.work.approvals[0]!.approval_id;
      d.send({ type: 'CancelExecution', data: { by: 'ops', reason: null, now: at(5) } });
      expect(d.work).toMatchObject({ status: 'cancelled', effects: [], approvals: [], withdrawals: [{ approval_id: id, step_id: 'gate' }] });
    });

    it('lists it for withdrawal when the execution times out', () => {
      const d = Driver.start(timed, { payload: { order: { id: 'o-1' } } });
      d.complete({});
      const id = d.work.approvals[0]!.approval_id;
      expect(d.later(3600).fire('execution_timeout')[0]).toMatchObject({ type: 'ExecutionTimedOut' });
      expect(d.work).toMatchObject({ status: 'timed_out', withdrawals: [{ approval_id: id, step_id: 'gate' }] });
    });

    it('lists nothing while it waits, nor once the decision reached the execution', () => {
      const d = start();
      expect(d.work.withdrawals).toEqual([]);
      d.resolve('approved');
      expect(d.work).toMatchObject({ status: 'completed', withdrawals: [] });
    });
  });

  it('ends the flow when the matching branch is absent', () => {
    const d = Driver.start(
      definitionOf([{ id: 'gate', type: 'approval', approval: { approver_role: 'x', expires_in: '1h' }, on_approved: 'yes' }, { id: 'yes', type: 'action', action: { type: 'allow' } }]),
      { payload: { order: { id: 'o-1' } } },
    );
    d.resolve('rejected');
    expect(d.state.status === 'completed' && d.state.decision).toBe('executed');
  });
});

describe('create_approval_request item', () => {
  const flagged = definitionOf([
    {
      id: 'flag',
      type: 'action',
      action: { type: 'block' },
      execute: [
        {
          type: 'create_approval_request',
          entity: 'cart',
          entity_id: '{{cart.id}}',
          // Keys beyond the three settings are kept as the approval's data.
          data: { approver_role: 'fraud_analyst', reason: 'check {{cart.id}}', expires_in: '4h', ...{ total: '{{cart.total}}' } },
        },
        { type: 'notify', recipients: ['pagerduty:fraud'], message: 'cart {{cart.id}}' },
      ],
    },
  ]);

  it('creates a pending approval linked to the execution without pausing it', () => {
    const d = Driver.start(flagged, { payload: { cart: { id: 'c-1', total: 700 } } });
    const requested = d.history.find((event) => event.type === 'ApprovalRequested');
    expect(requested?.data).toMatchObject({ entity: 'cart', entity_id: 'c-1', approver_role: 'fraud_analyst', reason: 'check c-1', data: { total: 700 }, expires_at: at(4 * 3600), blocking: false });
    d.complete({});
    d.complete({ deliveries: [] });
    expect(d.state.status === 'completed' && d.state.decision).toBe('blocked');
    expect(d.work.approvals).toEqual([]);
  });

  it('is not withdrawn when the execution ends: it outlives it', () => {
    const d = Driver.start(flagged, { payload: { cart: { id: 'c-1', total: 700 } } });
    d.complete({});
    d.send({ type: 'CancelExecution', data: { by: 'ops', reason: null, now: at(5) } });
    expect(d.work).toMatchObject({ status: 'cancelled', withdrawals: [] });
  });

  it('keeps the same approval id when the step is retried', () => {
    const d = Driver.start({ ...flagged, steps: [{ ...flagged.steps[0]!, retry: { max_attempts: 2, backoff: 'fixed', retry_on: ['*'] } }] }, {
      payload: { cart: { id: 'c-1' } },
    });
    const first = d.effect('create_approval_request');
    d.fail({ kind: 'network', message: 'down' });
    d.fire('step_retry');
    const second = d.effect('create_approval_request');
    expect(second.effect_id).not.toBe(first.effect_id);
    expect((second.request as { approval_id: string }).approval_id).toBe((first.request as { approval_id: string }).approval_id);
    expect(second.idempotency_key).toBe(first.idempotency_key);
  });
});
