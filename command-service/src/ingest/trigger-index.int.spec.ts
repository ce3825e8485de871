import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkflowDocument, streamId } from '@iwf/contracts';
import { commandContext } from '../command-handling/context.js';
import { handleCommand } from '../command-handling/handle-command.js';
import { eventually } from '../engine/runtime/testing/await.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { ingestOne } from '../engine/runtime/testing/world.js';
import { workflowDecider } from '../workflows/domain/decider.js';
import { indexWorkflow, triggerOf } from './trigger-index.js';

let system: EngineTestSystem;

beforeAll(async () => {
  system = await startEngineSystem('trigger_index');
});

afterAll(async () => {
  await system?.close();
});

const document = (id: string, trigger: unknown, decision = 'allow') => {
  const parsed = parseWorkflowDocument({ workflow_id: id, version: '1', name: id, trigger, steps: [{ id: 'only', type: 'action', action: { type: decision } }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.document;
};

/** Appends a workflow command as the routes do, but without indexing: a crash right after the append. */
async function appendOnly(workflowId: string, command: Parameters<typeof workflowDecider.decide>[0]) {
  const deps = { store: system.store, pool: system.pool, clock: () => new Date(), newId: randomUUID };
  const metadata = { tenant: system.tenant, actor: 'tester', correlation_id: randomUUID() };
  return handleCommand(commandContext(deps, metadata), workflowDecider, { streamId: streamId('workflow', system.tenant, workflowId), command });
}

const scheduleTimer = async (workflowId: string) =>
  (await system.pool.query<{ due_at: Date }>("SELECT due_at FROM iwf_command.engine_timers WHERE tenant = $1 AND owner_kind = 'schedule' AND owner_id = $2", [system.tenant, workflowId])).rows[0]?.due_at;

describe('trigger index', () => {
  it('is repaired from the log when a crash came between a workflow append and its index update', async () => {
    const now = new Date().toISOString();
    await appendOnly('orphan', { type: 'CreateWorkflow', data: { document: document('orphan', { type: 'event', event: 'orphan.seen' }), now } });
    const row = await eventually(() => triggerOf(system.pool, system.tenant, 'orphan'));
    expect(row).toMatchObject({ enabled: true, archived: false, trigger_event: 'orphan.seen', definition_revision: 1, stream_revision: 0 });
    expect(await ingestOne(system, 'orphan.seen', {})).toMatchObject({ status: 'completed', decision: 'allowed' });

    await appendOnly('orphan', { type: 'DisableWorkflow', data: { workflow_id: 'orphan', now } });
    await eventually(async () => ((await triggerOf(system.pool, system.tenant, 'orphan'))?.enabled === false ? true : undefined));
  });

  it('never lets an older revision overwrite a newer one', async () => {
    const now = new Date();
    const created = await appendOnly('raced', { type: 'CreateWorkflow', data: { document: document('raced', { type: 'event', event: 'raced.x' }), now: now.toISOString() } });
    const published = await appendOnly('raced', { type: 'PublishWorkflowDefinition', data: { document: document('raced', { type: 'event', event: 'raced.x' }, 'block'), now: now.toISOString() } });
    expect(await indexWorkflow(system.pool, system.tenant, published.revision, published.state, now)).toBe(true);
    expect(await indexWorkflow(system.pool, system.tenant, created.revision, created.state, now)).toBe(false);
    expect(await triggerOf(system.pool, system.tenant, 'raced')).toMatchObject({ definition_revision: 2, stream_revision: 1 });
  });

  it('keeps a schedule timer exactly while the workflow is an enabled schedule', async () => {
    const created = await system.call('POST', '/workflows', { workflow_id: 'nightly', version: '1', name: 'n', trigger: { type: 'schedule', cron: '0 3 * * *', timezone: 'Europe/Paris' }, steps: [{ id: 'a', type: 'action', action: { type: 'allow' } }] });
    expect(created.status).toBe(201);
    const due = await scheduleTimer('nightly');
    expect(due?.getTime()).toBeGreaterThan(Date.now());
    expect(due?.toLocaleTimeString('en-GB', { timeZone: 'Europe/Paris' })).toBe('03:00:00');
    await system.call('POST', '/workflows/nightly/disable');
    expect(await scheduleTimer('nightly')).toBeUndefined();
    await system.call('POST', '/workflows/nightly/enable');
    expect(await scheduleTimer('nightly')).toEqual(due);
    const republished = await system.call('PUT', '/workflows/nightly', { workflow_id: 'nightly', version: '2', name: 'n', trigger: { type: 'schedule', cron: '30 4 * * *' }, steps: [{ id: 'a', type: 'action', action: { type: 'allow' } }] });
    expect(republished.status).toBe(200);
    expect((await scheduleTimer('nightly'))?.toISOString()).toMatch(/T04:30:00\.000Z$/);
    const hourly = await system.call('PUT', '/workflows/nightly', { workflow_id: 'nightly', version: '3', name: 'n', trigger: { type: 'schedule', cron: '@hourly' }, steps: [{ id: 'a', type: 'action', action: { type: 'allow' } }] });
    expect(hourly.status).toBe(200);
    const next = await scheduleTimer('nightly');
    expect(next?.toISOString()).toMatch(/T\d\d:00:00\.000Z$/);
    expect((next?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(3_600_000);
    await system.call('DELETE', '/workflows/nightly');
    expect(await scheduleTimer('nightly')).toBeUndefined();
  });
});
