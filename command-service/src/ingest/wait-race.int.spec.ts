import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventIngested, LogPosition, RecordedEvent } from '@iwf/contracts';
import { comparePositions, streamId } from '@iwf/contracts';
import { engineIds } from '../engine/runtime/ids.js';
import type { AppendTap } from '../engine/runtime/testing/appends.js';
import { tapAppends, waitStartedOn } from '../engine/runtime/testing/appends.js';
import { eventually } from '../engine/runtime/testing/await.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne } from '../engine/runtime/testing/world.js';
import type { IngestAnswer } from './ingest.js';

let system: EngineTestSystem;
const tap: AppendTap = { after: undefined };

beforeAll(async () => {
  system = await startEngineSystem('wait_race', {}, { wrapStore: (store) => tapAppends(store, tap) });
  await createWorkflow(system, {
    workflow_id: 'paid', version: '1', name: 'paid', trigger: { type: 'event', event: 'order.created' },
    steps: [
      { id: 'await', type: 'wait', wait: { event: 'order.paid', timeout: '1h' }, next: 'ok' },
      { id: 'ok', type: 'action', action: { type: 'allow' } },
    ],
  });
});

afterAll(async () => {
  tap.after = undefined;
  await system?.close();
});

const paid = (orderId: string, eventId?: string): Promise<IngestAnswer> =>
  system.engine.ingest(system.tenant, { event_type: 'order.paid', payload: { order: { id: orderId } }, source: 'api', event_id: eventId }, { actor: 'tester' });

const deliveries = (events: readonly RecordedEvent[]): string[] =>
  events.filter((event) => event.type === 'WaitEventDelivered').map((event) => (event.data as { event_id: string }).event_id);

const ended = (executionId: string, timeoutMs = 10_000) =>
  eventually(async () => {
    const events = await system.execution(executionId);
    return events.some((event) => event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') ? events : undefined;
  }, timeoutMs);

/** Until the repair subscription has handled the log up to this position (its last chance to offer anything). */
const repairedUpTo = (position: LogPosition) =>
  eventually(async () => {
    const row = (await system.pool.query<{ commit_pos: string; prepare_pos: string }>("SELECT commit_pos, prepare_pos FROM iwf_command.engine_checkpoints WHERE name = 'engine-repair'")).rows[0];
    return row !== undefined && comparePositions({ commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) }, position) >= 0 ? true : undefined;
  });

describe('an event ingested while an execution is between appending WaitStarted and writing its wait row', () => {
  it('is delivered exactly once, though the ingest found no wait to offer it to', async () => {
    let racing: IngestAnswer | undefined;
    // The whole ingest runs after WaitStarted committed and before the runner writes the wait row.
    tap.after = async (stream, events) => {
      if (!stream.startsWith('execution:') || waitStartedOn(events) !== 'B') return;
      tap.after = undefined;
      racing = await paid('B');
    };
    const started = await ingestOne(system, 'order.created', { order: { id: 'B' } });
    if (racing === undefined) throw new Error('the racing ingest did not run');
    expect(racing.resumed).toEqual([]);
    const events = await ended(started.execution_id);
    expect(deliveries(events)).toEqual([racing.event_id]);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionCompleted', data: { decision: 'allowed' } });
    if (racing.position === undefined) throw new Error('the racing ingest recorded nothing');
    await repairedUpTo(racing.position);
    expect(deliveries(await system.execution(started.execution_id))).toEqual([racing.event_id]);
  });
});

describe('a process that died after recording an event, before offering it', () => {
  it('leaves the offer to the repair subscription, which delivers it once', async () => {
    const started = await ingestOne(system, 'order.created', { order: { id: 'R' } });
    expect(started.status).toBe('waiting');
    await system.engine.drained();
    const eventId = randomUUID();
    const data: EventIngested['data'] = { event_id: eventId, event_type: 'order.paid', source: 'api', payload: { order: { id: 'R' } }, received_at: new Date().toISOString(), executions: [] };
    const metadata = { tenant: system.tenant, actor: 'client', correlation_id: randomUUID() };
    const recorded = await system.store.append(streamId('ingest', system.tenant, eventId), [{ event_id: engineIds.ingestRecord(system.tenant, eventId), type: 'EventIngested', data, metadata }], 'no_stream');
    const events = await ended(started.execution_id);
    expect(deliveries(events)).toEqual([eventId]);
    await repairedUpTo(recorded.position);
    expect(deliveries(await system.execution(started.execution_id))).toEqual([eventId]);
  });
});

describe('many ingests racing many executions reaching their waits', () => {
  it('resumes every execution with its own event, once', async () => {
    const orders = Array.from({ length: 40 }, (_, index) => `E-${index}`);
    const forced = new Map<string, Promise<IngestAnswer>>();
    const racing: Promise<IngestAnswer>[] = [];
    // Right after an execution's WaitStarted commits, its payment is ingested: for even orders
    // entirely before the wait row is written, for odd ones alongside it (the runner held
    // 0-7 ms), and then ingested again under the same id (a second offer).
    tap.after = async (stream, events) => {
      const order = waitStartedOn(events);
      if (!stream.startsWith('execution:') || typeof order !== 'string' || !order.startsWith('E-')) return;
      const first = paid(order, `paid-${order}`);
      if (Number(order.slice(2)) % 2 === 0) {
        forced.set(order, first);
        racing.push(first);
        await first;
      } else {
        racing.push(first, first.then(() => paid(order, `paid-${order}`)));
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 8)));
      }
    };
    const started = await Promise.all(orders.map((order) => system.call('POST', '/events', { event_type: 'order.created', payload: { order: { id: order } } })));
    const executions = started.map((reply) => (reply.body['executions'] as { execution_id: string }[])[0]?.execution_id ?? '');
    await eventually(async () => (racing.length === orders.length * 1.5 ? true : undefined));
    tap.after = undefined;
    const answers = await Promise.all(racing);
    expect((await Promise.all(forced.values())).map((answer) => answer.resumed)).toEqual([...forced.keys()].map(() => []));

    const histories = await Promise.all(executions.map((executionId) => ended(executionId, 30_000)));
    expect(histories.map(deliveries)).toEqual(orders.map((order) => [`paid-${order}`]));
    expect(histories.map((events) => events.at(-1)?.type)).toEqual(orders.map(() => 'ExecutionCompleted'));
    const last = answers.map((answer) => answer.position).reduce<LogPosition | undefined>((acc, position) => (acc === undefined || (position !== undefined && comparePositions(position, acc) > 0) ? position : acc), undefined);
    if (last === undefined) throw new Error('no payment was recorded');
    await repairedUpTo(last);
    const again = await Promise.all(executions.map((executionId) => system.execution(executionId)));
    expect(again.map(deliveries)).toEqual(orders.map((order) => [`paid-${order}`]));
  });
});
