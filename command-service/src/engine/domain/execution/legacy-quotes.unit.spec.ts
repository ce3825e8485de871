import type { ExecutionEvent, JsonRecord } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { Driver, at } from './spec-driver.js';
import { legacyDefinition } from './spec-fixtures.js';

const requests = (d: Driver, kind: string): unknown[] =>
  d.history.flatMap((event: ExecutionEvent) => (event.type === 'EffectRequested' && event.data.kind === kind ? [event.data.request] : []));
const decisionOf = (d: Driver) => (d.state.status === 'completed' ? d.state.decision : d.state.status);

// Integration endpoints come with the trigger data in these scenarios.
const integrations = { crm: { webhook_url: 'https://crm.example.com/hooks' } };

describe('legacy: quote-multi-level-approval', () => {
  const definition = legacyDefinition('quote-multi-level-approval');
  const people = {
    'customer.profile': { id: 'cu-1', name: 'Globex' },
    'sales_rep.profile': { id: 'rep-1', name: 'Rita', email: 'rita@example.com', slack_id: 'U-RITA' },
    'sales_manager.profile': { id: 'mgr-1', name: 'Max', email: 'max@example.com', slack_id: 'U-MAX' },
  };
  const start = (quote: JsonRecord): Driver => {
    const payload = { quote: { id: 'q-1', number: 'Q-100', created_by_email: 'author@example.com', ...quote }, integrations };
    const d = Driver.start(definition, { payload });
    d.complete({ values: people }, 'load_context');
    return d;
  };
  const bigQuote = { total: 8000, discount_percentage: 10, has_custom_pricing: false, line_items: [{}, {}, {}] };

  it('auto-approves a small quote', () => {
    const d = start({ total: 1200, discount_percentage: 5, has_custom_pricing: false }).completeAll();
    expect(d.timeline()).toEqual(['check_quote_value:completed', 'auto_approve_quote:completed']);
    expect(decisionOf(d)).toBe('allowed');
    expect(requests(d, 'update_record')).toEqual([
      { event_type: 'record.update_requested', entity: 'quote', entity_id: 'q-1', data: { status: 'approved', approved_at: at(0), approved_by: 'workflow_automation', auto_approved: true, ready_to_send: true } },
    ]);
  });

  it('goes through the rep review and the manager approval, both waits, to an approved quote', () => {
    const d = start(bigQuote);
    expect(d.state.status === 'running' && d.state.decision).toBe('pending_approval');
    d.completeAll();
    expect(d.state.status).toBe('waiting');
    expect(d.work.waits).toEqual([{ step_id: 'wait_for_rep_decision', event_type: 'quote.rep_reviewed', match_field: 'quote.id', match_value: 'q-1', timeout_at: at(48 * 3600) }]);
    const [repApproval] = d.history.filter((event) => event.type === 'ApprovalRequested');
    expect(repApproval?.data).toMatchObject({ approver_role: 'sales_rep', entity: 'quote', entity_id: 'q-1', expires_at: at(48 * 3600), data: { stage: 'sales_rep_review', quote_total: 8000, next_stage: 'sales_manager_approval' } });
    expect(requests(d, 'notify')[0]).toEqual({ recipients: ['rita@example.com'], message: 'Quote Q-100 requires your review - $8000 for Globex. Discount: 10%, Items: 3' });

    // Another quote's review does not wake this execution.
    expect(d.later(3600).deliver('quote.rep_reviewed', { quote: { id: 'q-2', rep_decision: 'approved' } })).toEqual([]);
    d.deliver('quote.rep_reviewed', { quote: { id: 'q-1', rep_decision: 'approved', rep_comments: 'fair price' } });
    d.completeAll();
    expect(d.work.waits.map((wait) => wait.step_id)).toEqual(['wait_for_manager_decision']);
    expect(d.work.waits[0]?.timeout_at).toBe(at(3600 + 24 * 3600));
    const managerApproval = d.history.filter((event) => event.type === 'ApprovalRequested')[1];
    expect(managerApproval?.data).toMatchObject({ approver_role: 'sales_manager', data: { reviewed_by_rep: 'Rita', rep_comments: 'fair price', rep_approved_at: at(3600) } });

    d.later(600).deliver('quote.manager_reviewed', { quote: { id: 'q-1', manager_decision: 'approved', manager_comments: 'ship it' } });
    d.completeAll();
    expect(d.timeline()).toEqual([
      'check_quote_value:completed',
      'require_sales_rep_review:completed',
      'wait_for_rep_decision:completed',
      'check_rep_decision:completed',
      'require_manager_approval:completed',
      'wait_for_manager_decision:completed',
      'check_manager_decision:completed',
      'approve_quote:completed',
    ]);
    expect(decisionOf(d)).toBe('allowed');
    // Both approval requests were created; their own decisions live on the approval streams.
    const approvalIds = d.history.flatMap((event) => (event.type === 'ApprovalRequested' ? [event.data.approval_id] : []));
    expect(new Set(approvalIds).size).toBe(2);
    for (const id of approvalIds) expect(d.resolve('approved', id)).toEqual([]);
    expect(requests(d, 'webhook')).toEqual([
      {
        url: 'https://crm.example.com/hooks',
        method: 'POST',
        headers: {},
        body: { event: 'quote_approved', quote_id: 'q-1', quote_number: 'Q-100', customer_id: 'cu-1', total: 8000, approved_by: 'mgr-1', approved_at: at(4200) },
      },
    ]);
  });

  it('blocks with the rep rejection reason when the rep rejects', () => {
    const d = start(bigQuote).completeAll();
    d.deliver('quote.rep_reviewed', { quote: { id: 'q-1', rep_decision: 'rejected', rep_rejection_reason: 'margin too low' } });
    d.completeAll();
    expect(d.timeline().at(-1)).toBe('handle_rep_rejection:completed');
    expect(decisionOf(d)).toBe('blocked');
    expect(d.history.filter((event) => event.type === 'DecisionMade').at(-1)?.data).toMatchObject({ decision: 'blocked', reason: 'Quote rejected by sales rep: margin too low' });
  });

  it('blocks when the manager rejects after the rep approved', () => {
    const d = start(bigQuote).completeAll();
    d.deliver('quote.rep_reviewed', { quote: { id: 'q-1', rep_decision: 'approved' } });
    d.completeAll();
    d.deliver('quote.manager_reviewed', { quote: { id: 'q-1', manager_decision: 'rejected', manager_rejection_reason: 'discount' } });
    d.completeAll();
    expect(d.timeline().at(-1)).toBe('handle_manager_rejection:completed');
    expect(decisionOf(d)).toBe('blocked');
    expect(requests(d, 'notify').at(-1)).toEqual({ recipients: ['slack:#sales-notifications'], message: '❌ Quote Q-100 rejected by Max - Reason: discount' });
  });

  it('times out when the rep never reviews within 48h', () => {
    const d = start(bigQuote).completeAll();
    d.fire('wait_timeout');
    expect(d.state.status).toBe('timed_out');
    expect(d.history.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', data: { step_id: 'wait_for_rep_decision', reason: 'wait_timeout', at: at(48 * 3600) } });
  });
});

describe('legacy: quote-expiration-management (schedule)', () => {
  const definition = legacyDefinition('quote-expiration-management');
  const start = (quote: JsonRecord, payload: JsonRecord = { integrations }): Driver => {
    const d = Driver.start(definition, { payload });
    const values = {
      'quote.details': { id: 'q-7', number: 'Q-7', total: 990, customer_email: 'buyer@example.com', sales_rep_email: 'rita@example.com', sales_rep_id: 'rep-1', public_url: 'https://q/7', ...quote },
      'customer.profile': { id: 'cu-1', name: 'Initech' },
    };
    d.complete({ values }, 'load_context');
    return d.completeAll();
  };

  it('reminds once when the quote expires within 24h, then keeps monitoring', () => {
    const d = start({ hours_until_expiration: 12, reminder_sent: false });
    expect(d.timeline()).toEqual(['check_reminder_needed:completed', 'send_reminder:completed', 'check_expired:completed', 'continue_monitoring:completed', 'complete_workflow:completed']);
    expect(requests(d, 'notify')[0]).toEqual({ recipients: ['buyer@example.com', 'rita@example.com'], message: 'Quote Q-7 for Initech expires in 12 hours. View quote: https://q/7' });
    expect(decisionOf(d)).toBe('allowed');
  });

  it('expires an expired quote and opens a follow-up task due a day later', () => {
    const d = start({ hours_until_expiration: -3, reminder_sent: true });
    expect(d.timeline()).toEqual(['check_reminder_needed:completed', 'check_expired:completed', 'expire_quote:completed', 'complete_workflow:completed']);
    expect(requests(d, 'create_record')).toEqual([
      expect.objectContaining({ entity: 'task', data: expect.objectContaining({ title: 'Follow up on expired quote Q-7', assigned_to: 'rep-1', due_date: at(24 * 3600) }) as unknown }),
    ]);
    expect(decisionOf(d)).toBe('allowed');
  });

  it('fails the expiry step as invalid when no CRM webhook URL is configured', () => {
    const d = start({ hours_until_expiration: -3, reminder_sent: true }, {});
    expect(d.state.status === 'failed' && d.state.error.kind).toBe('invalid');
    expect(d.timeline().at(-1)).toBe('expire_quote:failed');
  });

  it('only keeps monitoring a quote far from expiry', () => {
    const d = start({ hours_until_expiration: 100, reminder_sent: false });
    expect(d.timeline()).toEqual(['check_reminder_needed:completed', 'check_expired:completed', 'continue_monitoring:completed', 'complete_workflow:completed']);
  });
});
