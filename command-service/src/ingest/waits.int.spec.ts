import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventIngested, JsonRecord, LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions, parsePosition, streamId } from '@iwf/contracts';
import { engineIds } from '../engine/runtime/ids.js';
import type { AppendTap } from '../engine/runtime/testing/appends.js';
import { tapAppends, waitStartedOn } from '../engine/runtime/testing/appends.js';
import { eventually } from '../engine/runtime/testing/await.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne } from '../engine/runtime/testing/world.js';
import { waitingRuns } from '../engine/runtime/open-waits.js';
import { catchUpWaits } from './catch-up.js';
import { startExecution } from './start.js';
import { triggerOf } from './trigger-index.js';
import type { IngestedEvent } from './waits.js';
import { deliverIngested, offerEvent } from './waits.js';

// No background workers: nothing but the code under test offers an event, so each path is seen alone.
let system: EngineTestSystem;
const tap: AppendTap = { after: undefined };
const actor = { actor: 'tester' };

beforeAll(async () => {
  system = await startEngineSystem('waits', { ENGINE_WORKERS: 'false' }, { wrapStore: (store) => tapAppends(store, tap) });
  await createWorkflow(system, {
    workflow_id: 'paid', version: '1', name: 'paid', trigger: { type: 'event', event: 'order.created' },
    steps: [
      { id: 'await', type: 'wait', wait: { event: 'order.paid', timeout: '1h' }, next: 'ok' },
      { id: 'ok', type: 'action', action: { type: 'allow' } },
    ],
  });
  await createWorkflow(system, {
    workflow_id: 'loop', version: '1', name: 'loop', trigger: { type: 'event', event: 'invoice.created' },
    steps: [
      { id: 'await', type: 'wait', wait: { event: 'invoice.paid', timeout: '1h' }, next: 'note' },
      { id: 'note', type: 'execute', execute: [{ type: 'log', message: 'paid' }], next: 'await' },
    ],
  });
});

afterAll(async () => {
  await system?.close();
});

/** An ingest record as a process that died right after appending it (before offering it) leaves it. */
async function recordOnly(eventType: string, payload: JsonRecord): Promise<IngestedEvent> {
  const eventId = randomUUID();
  const data: EventIngested['data'] = { event_id: eventId, event_type: eventType, source: 'api', payload, received_at: new Date().toISOString(), executions: [] };
  const metadata = { tenant: system.tenant, actor: 'client', correlation_id: randomUUID() };
  const result = await system.store.append(streamId('ingest', system.tenant, eventId), [{ event_id: engineIds.ingestRecord(system.tenant, eventId), type: 'EventIngested', data, metadata }], 'no_stream');
  return { tenant: system.tenant, position: result.position, data };
}

const deliveries = (events: readonly RecordedEvent[]): string[] =>
  events.filter((event) => event.type === 'WaitEventDelivered').map((event) => (event.data as { event_id: string }).event_id);

const ended = (executionId: string) =>
  eventually(async () => {
    const events = await system.execution(executionId);
    return events.some((event) => event.type === 'ExecutionCompleted') ? events : undefined;
  });

/** Until the log can be read up to this position (no transaction that began earlier is still open). */
const readableUpTo = (position: LogPosition) =>
  eventually(async () => {
    const head = await system.store.headPosition();
    return head !== undefined && comparePositions(head, position) >= 0 ? true : undefined;
  });

const positionOf = (reply: { body: Record<string, unknown> }): LogPosition => {
  const position = parsePosition(String(reply.body['position']));
  if (position === undefined) throw new Error(`no position in ${JSON.stringify(reply.body)}`);
  return position;
};

describe('a wait whose row is written after a matching event was recorded', () => {
  it('reads the events recorded since its WaitStarted once indexed, and not those recorded before', async () => {
    const before = await system.call('POST', '/events', { event_type: 'order.paid', payload: { order: { id: 'A' } } });
    expect(before.body['resumed']).toEqual([]);

    // The runner dies right after appending WaitStarted: the wait is in the log, its row is not.
    tap.after = async (stream, events) => {
      if (stream.startsWith('execution:') && waitStartedOn(events) === 'A') throw new Error('process died after the append');
    };
    const workflow = await triggerOf(system.pool, system.tenant, 'paid');
    if (workflow === undefined) throw new Error('workflow paid is not indexed');
    const executionId = engineIds.eventExecution(system.tenant, 'start-A', 'paid');
    const trigger = { kind: 'event' as const, event_id: 'start-A', event_type: 'order.created', source: 'api' };
    const event = { id: 'start-A', type: 'order.created', source: 'api', received_at: new Date().toISOString() };
    await expect(startExecution(system.engine.runner, system.tenant, executionId, workflow, { trigger, payload: { order: { id: 'A' } }, event }, actor)).rejects.toThrow('process died');
    tap.after = undefined;
    expect((await system.execution(executionId)).at(-1)?.type).toBe('WaitStarted');

    // Recorded after the WaitStarted, but ingest finds no wait row to offer it to.
    const after = await system.call('POST', '/events', { event_type: 'order.paid', payload: { order: { id: 'A' }, paid: 'late' } });
    expect(after.body['resumed']).toEqual([]);
    await readableUpTo(positionOf(after));

    // Writing the row (as the repair subscription does) offers the wait what it missed.
    await system.engine.runner.resync(system.tenant, executionId);
    const events = await ended(executionId);
    expect(deliveries(events)).toEqual([after.body['event_id']]);
    expect(events.at(-1)?.data).toMatchObject({ decision: 'allowed' });
  });
});

describe('a crash between recording an event and offering it', () => {
  it('is finished by a retry of the event id, which offers it to the waits opened before the record', async () => {
    const started = await ingestOne(system, 'order.created', { order: { id: 'C' } });
    expect(started.status).toBe('waiting');
    await system.engine.drained();
    const orphan = await recordOnly('order.paid', { order: { id: 'C' } });
    expect((await system.execution(started.execution_id)).at(-1)?.type).toBe('WaitStarted');

    const retried = await system.call('POST', '/events?wait=true', { event_type: 'order.paid', event_id: orphan.data.event_id, payload: { order: { id: 'C' } } });
    expect(retried.status).toBe(202);
    expect(retried.body['resumed']).toEqual([{ execution_id: started.execution_id, workflow_id: 'paid', status: 'completed', decision: 'allowed' }]);
    expect(deliveries(await system.execution(started.execution_id))).toEqual([orphan.data.event_id]);
  });
});

describe('offers are idempotent', () => {
  it('delivers an event once however often and by whichever path it is offered', async () => {
    const started = await ingestOne(system, 'order.created', { order: { id: 'D' } });
    const paid = await system.call('POST', '/events?wait=true', { event_type: 'order.paid', event_id: 'paid-D', payload: { order: { id: 'D' } } });
    expect(paid.body['resumed']).toEqual([expect.objectContaining({ execution_id: started.execution_id, status: 'completed' })]);
    const recorded = { tenant: system.tenant, position: positionOf(paid), data: { event_id: 'paid-D', event_type: 'order.paid', source: 'api', payload: { order: { id: 'D' } }, received_at: '', executions: [] } };

    const again = await system.call('POST', '/events?wait=true', { event_type: 'order.paid', event_id: 'paid-D', payload: { order: { id: 'D' } } });
    expect(again.body['resumed']).toEqual([]);
    expect(await deliverIngested({ pool: system.pool, runner: system.engine.runner }, recorded, actor)).toEqual([]);
    const unguarded = await system.engine.runner.send(system.tenant, started.execution_id, { type: 'DeliverEvent', data: { event_id: 'paid-D', event_type: 'order.paid', payload: { order: { id: 'D' } } } }, actor);
    expect(unguarded.appended).toBe(0);
    await system.engine.runner.resync(system.tenant, started.execution_id);
    expect(deliveries(await system.execution(started.execution_id))).toEqual(['paid-D']);
  });

  it('never hands an offer made for a run that stopped waiting to the wait the execution opened again after the event', async () => {
    const started = await ingestOne(system, 'invoice.created', { invoice: { id: 'L' } });
    expect(started.status).toBe('waiting');
    await system.engine.drained();
    const deps = { pool: system.pool, runner: system.engine.runner };
    const first = await recordOnly('invoice.paid', { invoice: { id: 'L' }, n: 1 });
    const second = await recordOnly('invoice.paid', { invoice: { id: 'L' }, n: 2 });

    // The first resumes run 0; the loop opens the wait again (run 2) after both records.
    expect(await deliverIngested(deps, first, actor)).toEqual([expect.objectContaining({ execution_id: started.execution_id, status: 'waiting' })]);
    expect(await deliverIngested(deps, second, actor)).toEqual([]);
    expect((await offerEvent(system.engine.runner, system.tenant, started.execution_id, second.data, new Set([0]), actor)).appended).toBe(0);
    await readableUpTo(second.position);
    const reopened = await system.engine.runner.read(system.tenant, started.execution_id);
    expect(waitingRuns(reopened.state)).toEqual([2]);
    expect(await catchUpWaits({ store: system.store, runner: system.engine.runner }, system.tenant, started.execution_id, reopened, [2], actor)).toBe(0);
    await system.engine.drained();

    const third = await system.call('POST', '/events', { event_type: 'invoice.paid', payload: { invoice: { id: 'L' }, n: 3 } });
    expect(third.body['resumed']).toEqual([expect.objectContaining({ execution_id: started.execution_id, status: 'waiting' })]);
    expect(deliveries(await system.execution(started.execution_id))).toEqual([first.data.event_id, third.body['event_id']]);
  });
});
