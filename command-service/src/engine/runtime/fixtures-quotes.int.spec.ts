import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitEvent, eventually } from './testing/await.js';
import { startEngineSystem, type EngineTestSystem } from './testing/system.js';
import { createWorkflow, ingestOne, legacyFixture, startWorld, stepsRun, type World } from './testing/world.js';

let world: World;
let system: EngineTestSystem;

const people = {
  'customer.profile': { id: 'CU-1', name: 'Acme Corp' },
  'sales_rep.profile': { id: 'REP-1', name: 'Rita Rep', email: 'rita@example.com', slack_id: 'U-RITA' },
  'sales_manager.profile': { id: 'MGR-1', name: 'Max Manager', email: 'max@example.com', slack_id: 'U-MAX' },
};

beforeAll(async () => {
  world = await startWorld(['crm.example.com']);
  system = await startEngineSystem('fx_quotes', world.env);
  await createWorkflow(system, legacyFixture('quote-expiration-management.json'));
  await createWorkflow(system, legacyFixture('quote-multi-level-approval.json'));
});

afterAll(async () => {
  await system?.close();
  await world?.close();
});

describe('quote-expiration-management', () => {
  const quote = (hours: number, reminderSent: boolean) => ({
    ...people,
    'quote.details': { id: 'QX-1', number: 'Q-100', total: 1200, hours_until_expiration: hours, reminder_sent: reminderSent, customer_email: 'buyer@acme.example', sales_rep_email: 'rita@example.com', sales_rep_id: 'REP-1' },
  });
  const run = async (hours: number, reminderSent: boolean) => {
    world.enrich(quote(hours, reminderSent));
    const reply = await system.call('POST', '/workflows/quote_expiration_management/executions?wait=true', { payload: {} });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return { ...reply.body, steps: stepsRun(await system.execution(String(reply.body['execution_id']))) };
  };

  it('reminds the customer and the rep of a quote expiring within a day', async () => {
    const emails = world.to('email').length;
    expect(await run(12, false)).toMatchObject({ status: 'completed', decision: 'allowed', steps: ['check_reminder_needed', 'send_reminder', 'check_expired', 'continue_monitoring', 'complete_workflow'] });
    expect(world.to('email').slice(emails).map((request) => (request.body as { to: string }).to)).toEqual(['buyer@acme.example', 'rita@example.com']);
  });

  it('expires a quote past its date, tells the CRM and opens a follow-up task', async () => {
    const crm = world.to('crm.example.com').length;
    world.enrich(quote(-2, true));
    const payload = { integrations: { crm: { webhook_url: 'https://crm.example.com/hooks' } } };
    const reply = await system.call('POST', '/workflows/quote_expiration_management/executions?wait=true', { payload });
    expect(reply.body).toMatchObject({ status: 'completed', decision: 'allowed' });
    expect(stepsRun(await system.execution(String(reply.body['execution_id'])))).toEqual(['check_reminder_needed', 'check_expired', 'expire_quote', 'complete_workflow']);
    expect(world.to('crm.example.com').slice(crm).map((request) => request.body)).toEqual([
      { event: 'quote_expired', quote_id: 'QX-1', quote_number: 'Q-100', customer_id: 'CU-1', sales_rep_id: 'REP-1' },
    ]);
  });

  it('only keeps monitoring a quote far from expiry', async () => {
    expect(await run(100, false)).toMatchObject({ decision: 'allowed', steps: ['check_reminder_needed', 'check_expired', 'continue_monitoring', 'complete_workflow'] });
  });

  it('runs on its schedule: ticks missed while down fire once, and the next tick is rescheduled', async () => {
    world.enrich(quote(100, false));
    // As if the service had been down through two 6-hourly ticks.
    await system.pool.query("UPDATE iwf_command.engine_timers SET due_at = now() - interval '13 hours' WHERE owner_kind = 'schedule' AND owner_id = 'quote_expiration_management'");
    const started = await awaitEvent(system.store, (event) => event.type === 'ExecutionStarted' && (event.data as { trigger: { kind: string } }).trigger.kind === 'schedule');
    const next = await eventually(async () => {
      const result = await system.pool.query<{ due_at: Date }>("SELECT due_at FROM iwf_command.engine_timers WHERE owner_kind = 'schedule' AND claimed_by IS NULL AND due_at > now()");
      return result.rows[0]?.due_at;
    });
    const scheduled = (started.data as { trigger: { scheduled_for: string } }).trigger.scheduled_for;
    expect(new Date(scheduled).getUTCHours() % 6).toBe(0);
    expect(next.getTime() - Date.parse(scheduled)).toBe(6 * 3_600_000);
    const runs = await system.pool.query("SELECT count(*)::int AS n FROM iwf_events.events WHERE type = 'ExecutionStarted' AND data->'trigger'->>'kind' = 'schedule'");
    expect(runs.rows[0]).toEqual({ n: 1 });
  });
});

describe('quote-multi-level-approval', () => {
  const create = (id: string, total: number) => {
    world.enrich({ ...people, 'quote.details': { number: `N-${id}`, total, discount_percentage: 5, has_custom_pricing: false, created_by_email: 'author@example.com' }, 'quote.line_items': [{ sku: 'x' }] });
    return ingestOne(system, 'quote.created', { quote: { id }, integrations: { crm: { webhook_url: 'https://crm.example.com/quotes' } } });
  };
  const approvalIds = async (executionId: string) =>
    (await system.execution(executionId)).filter((event) => event.type === 'ApprovalRequested').map((event) => (event.data as { approval_id: string }).approval_id);
  const review = (type: string, quote: Record<string, unknown>) => system.call('POST', '/events?wait=true', { event_type: type, payload: { quote } });

  it('auto-approves a small quote', async () => {
    const started = await create('Q-1', 900);
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['check_quote_value', 'auto_approve_quote']);
  });

  it('goes through the rep review and the manager approval, both waits and both approvals', async () => {
    const crm = world.to('crm.example.com').length;
    const started = await create('Q-2', 8_000);
    expect(started).toMatchObject({ status: 'waiting', decision: 'pending_approval' });
    const [repApproval] = await approvalIds(started.execution_id);
    const approved = await system.call('POST', `/approvals/${repApproval}/approve`, { comment: 'ok' }, { roles: ['approver', 'sales_rep'], actor: 'rita' });
    expect(approved.body).toMatchObject({ status: 'approved', decided_by: 'rita' });

    const afterRep = await review('quote.rep_reviewed', { id: 'Q-2', rep_decision: 'approved', rep_comments: 'Fair price' });
    expect(afterRep.body).toMatchObject({ executions: [], resumed: [{ execution_id: started.execution_id, status: 'waiting', decision: 'pending_approval' }] });
    const [, managerApproval] = await approvalIds(started.execution_id);
    const managerOk = await system.call('POST', `/approvals/${managerApproval}/approve`, {}, { roles: ['approver', 'sales_manager'], actor: 'max' });
    expect(managerOk.body).toMatchObject({ status: 'approved' });

    world.enrich({});
    const afterManager = await review('quote.manager_reviewed', { id: 'Q-2', manager_decision: 'approved', manager_comments: 'Ship it' });
    expect(afterManager.body).toMatchObject({ resumed: [{ execution_id: started.execution_id, status: 'completed', decision: 'allowed' }] });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual([
      'check_quote_value', 'require_sales_rep_review', 'wait_for_rep_decision', 'check_rep_decision', 'require_manager_approval',
      'wait_for_manager_decision', 'check_manager_decision', 'approve_quote',
    ]);
    expect(world.to('crm.example.com').slice(crm).map((request) => request.body)).toEqual([
      { event: 'quote_approved', quote_id: 'Q-2', quote_number: 'N-Q-2', customer_id: 'CU-1', total: 8_000, approved_by: 'MGR-1', approved_at: expect.any(String) },
    ]);
  });

  it('blocks a quote the rep rejects', async () => {
    const started = await create('Q-3', 8_000);
    const rejected = await review('quote.rep_reviewed', { id: 'Q-3', rep_decision: 'rejected', rep_rejection_reason: 'Margin too thin' });
    expect(rejected.body).toMatchObject({ resumed: [{ execution_id: started.execution_id, status: 'completed', decision: 'blocked' }] });
    const events = await system.execution(started.execution_id);
    expect(stepsRun(events).slice(-2)).toEqual(['check_rep_decision', 'handle_rep_rejection']);
    const decided = events.filter((event) => event.type === 'DecisionMade').map((event) => (event.data as { reason: string }).reason);
    expect(decided.at(-1)).toBe('Quote rejected by sales rep: Margin too thin');
  });

  it('blocks a quote the manager rejects, after the rep approved it', async () => {
    const started = await create('Q-4', 20_000);
    await review('quote.rep_reviewed', { id: 'Q-4', rep_decision: 'approved', rep_comments: 'ok' });
    const rejected = await review('quote.manager_reviewed', { id: 'Q-4', manager_decision: 'rejected', manager_rejection_reason: 'No' });
    expect(rejected.body).toMatchObject({ resumed: [{ execution_id: started.execution_id, status: 'completed', decision: 'blocked' }] });
    expect(stepsRun(await system.execution(started.execution_id)).at(-1)).toBe('handle_manager_rejection');
  });

  it('does not resume a quote waiting for another quote\'s review', async () => {
    const started = await create('Q-5', 8_000);
    const other = await review('quote.rep_reviewed', { id: 'Q-999', rep_decision: 'approved' });
    expect(other.body).toMatchObject({ executions: [], resumed: [] });
    expect((await system.execution(started.execution_id)).at(-1)?.type).toBe('WaitStarted');
  });
});
