import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@iwf/contracts';
import { awaitEvent, eventually } from './testing/await.js';
import { startEngineSystem, type EngineTestSystem } from './testing/system.js';
import { createWorkflow, ingestOne } from './testing/world.js';

let system: EngineTestSystem;

// Two engines on one database, as two replicas of the command service would run them.
beforeAll(async () => {
  system = await startEngineSystem('replicas');
  await system.replica();
});

afterAll(async () => {
  await system?.close();
});

const count = async (sql: string, values: unknown[] = []): Promise<number> => (await system.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM iwf_events.events WHERE ${sql}`, values)).rows[0]?.n ?? -1;
const ended = (executionId: string) => (event: RecordedEvent) => event.stream_id.endsWith(`:${executionId}`) && /^Execution(Completed|Failed|TimedOut)$/.test(event.type);
/** No timer of this owner is left: nothing can fire for it any more. */
const timersGone = (ownerId: string) =>
  eventually(async () => ((await system.pool.query('SELECT 1 FROM iwf_command.engine_timers WHERE owner_id = $1', [ownerId])).rowCount === 0 ? true : undefined));

describe('two engine instances', () => {
  it('fire each schedule tick once', async () => {
    await createWorkflow(system, { workflow_id: 'every_second', version: '1', name: 'tick', trigger: { type: 'schedule', cron: '* * * * * *' }, steps: [{ id: 'ok', type: 'action', action: { type: 'allow' } }] });
    const firstTick = await awaitEvent(system.store, (event) => event.type === 'ExecutionStarted' && (event.data as { workflow_id: string }).workflow_id === 'every_second');
    const firstAt = Date.parse((firstTick.data as { trigger: { scheduled_for: string } }).trigger.scheduled_for);
    await awaitEvent(system.store, (event) => event.type === 'ExecutionStarted' && Date.parse((event.data as { trigger: { scheduled_for?: string } }).trigger.scheduled_for ?? '') >= firstAt + 2_000);
    expect((await system.call('POST', '/workflows/every_second/disable')).status).toBe(200);
    await timersGone('every_second');
    const ticks = await system.pool.query<{ tick: string; n: number }>(
      "SELECT data->'trigger'->>'scheduled_for' AS tick, count(*)::int AS n FROM iwf_events.events WHERE type = 'ExecutionStarted' AND data->>'workflow_id' = 'every_second' GROUP BY 1 ORDER BY 1",
    );
    expect(ticks.rows.length).toBeGreaterThanOrEqual(3);
    expect(ticks.rows.every((row) => row.n === 1)).toBe(true);
    const seconds = ticks.rows.map((row) => Date.parse(row.tick) / 1_000);
    expect(seconds.every((second, index) => index === 0 || second === (seconds[index - 1] ?? 0) + 1)).toBe(true);
  });

  it('expire an approval once: one ApprovalExpired, one approval.expired, one resolution', async () => {
    await createWorkflow(system, {
      workflow_id: 'expiring', version: '1', name: 'expiring', trigger: { type: 'event', event: 'deal.created' },
      steps: [
        { id: 'ask', type: 'approval', approval: { approver_role: 'boss', expires_in: '200ms' }, on_approved: 'yes', on_expired: 'too_late' },
        { id: 'yes', type: 'action', action: { type: 'allow' } },
        { id: 'too_late', type: 'action', action: { type: 'block', reason: 'nobody answered' } },
      ],
    });
    const started = await ingestOne(system, 'deal.created', { deal: { id: 'D-1' } });
    expect(started.status).toBe('waiting');
    const done = await awaitEvent(system.store, ended(started.execution_id));
    expect(done.type).toBe('ExecutionCompleted');
    const events = await system.execution(started.execution_id);
    const approvalId = (events.find((event) => event.type === 'ApprovalRequested')?.data as { approval_id: string }).approval_id;
    await timersGone(approvalId);
    expect(await count("type = 'ApprovalExpired'")).toBe(1);
    expect(await count("type = 'EventIngested' AND data->>'event_type' = 'approval.expired'")).toBe(1);
    expect(await count("type = 'ApprovalResolved' AND stream_id LIKE $1", [`%${started.execution_id}`])).toBe(1);
    expect((await system.execution(started.execution_id)).find((event) => event.type === 'DecisionMade')?.data).toMatchObject({ decision: 'blocked', reason: 'nobody answered' });
  });

  it('time a wait out once', async () => {
    await createWorkflow(system, {
      workflow_id: 'waiting', version: '1', name: 'waiting', trigger: { type: 'event', event: 'parcel.sent' },
      steps: [
        { id: 'await_delivery', type: 'wait', wait: { event: 'parcel.delivered', timeout: '150ms' }, next: 'delivered', on_timeout: 'lost' },
        { id: 'delivered', type: 'action', action: { type: 'allow' } },
        { id: 'lost', type: 'action', action: { type: 'block' } },
      ],
    });
    const started = await ingestOne(system, 'parcel.sent', { parcel: { id: 'P-9' } });
    expect(started.status).toBe('waiting');
    await awaitEvent(system.store, ended(started.execution_id));
    await timersGone(started.execution_id);
    const types = (await system.execution(started.execution_id)).map((event) => event.type);
    expect(types.filter((type) => type === 'WaitTimedOut')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionCompleted');
    // A late delivery finds nothing waiting.
    const late = await system.call('POST', '/events?wait=true', { event_type: 'parcel.delivered', payload: { parcel: { id: 'P-9' } } });
    expect(late.body).toMatchObject({ resumed: [] });
  });
});
