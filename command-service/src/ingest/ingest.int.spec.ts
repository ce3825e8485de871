import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions, formatPosition } from '@iwf/contracts';
import { startReceiver, type Receiver } from '../engine/runtime/testing/receiver.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne } from '../engine/runtime/testing/world.js';
import { settle } from '../engine/runtime/settle.js';
import { currentStatus } from './ingest.js';

let system: EngineTestSystem;
let receiver: Receiver;

const allow = { id: 'ok', type: 'action', action: { type: 'allow' } };
const wf = (id: string, trigger: unknown, steps: unknown[] = [allow], extra: Record<string, unknown> = {}) => ({ workflow_id: id, version: '1', name: id, trigger, steps, ...extra });
const ingest = (body: unknown, query = '?wait=true', headers: Record<string, string> = {}) => system.call('POST', `/events${query}`, body, { headers });
const startedIds = (reply: { body: Record<string, unknown> }) => (reply.body['executions'] as { workflow_id: string }[]).map((entry) => entry.workflow_id).sort();
const eventCount = async () => (await system.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM iwf_events.events')).rows[0]?.n;

beforeAll(async () => {
  receiver = await startReceiver();
  system = await startEngineSystem('ingest', { OUTBOUND_HOST_MAP: `slow.example.com=${receiver.url}` });
  await createWorkflow(system, wf('exact', { type: 'event', event: 'order.created' }));
  await createWorkflow(system, wf('prefix', { type: 'event', event: 'order.*' }));
  await createWorkflow(system, wf('everything', { type: 'event', event: '*' }));
  await createWorkflow(system, wf('off', { type: 'event', event: 'order.created' }, [allow], { enabled: false }));
  await createWorkflow(system, wf('gone', { type: 'event', event: 'order.created' }));
  expect((await system.call('DELETE', '/workflows/gone')).status).toBe(200);
  await createWorkflow(system, wf('by_hand', { type: 'manual' }));
  await createWorkflow(system, wf('slow', { type: 'event', event: 'slow.go' }, [{ id: 'call', type: 'execute', execute: [{ type: 'http_request', url: 'https://slow.example.com/x' }] }]));
});

afterAll(async () => {
  await system?.close();
  await receiver?.close();
});

describe('matching', () => {
  it('starts every enabled workflow whose trigger matches: exact, prefix and catch-all', async () => {
    expect(startedIds(await ingest({ event_type: 'order.created', payload: {} }))).toEqual(['everything', 'exact', 'prefix']);
    expect(startedIds(await ingest({ event_type: 'order.shipped', payload: {} }))).toEqual(['everything', 'prefix']);
    expect(startedIds(await ingest({ event_type: 'invoice.paid', payload: {} }))).toEqual(['everything']);
    // Out of the way of the tests below, which count their own executions.
    expect((await system.call('POST', '/workflows/everything/disable')).status).toBe(200);
    expect(startedIds(await ingest({ event_type: 'invoice.paid', payload: {} }))).toEqual([]);
  });

  it('follows enable and disable as soon as they are answered', async () => {
    expect((await system.call('POST', '/workflows/off/enable')).status).toBe(200);
    expect(startedIds(await ingest({ event_type: 'order.created', payload: {} }))).toContain('off');
    expect((await system.call('POST', '/workflows/off/disable')).status).toBe(200);
    expect(startedIds(await ingest({ event_type: 'order.created', payload: {} }))).not.toContain('off');
  });

  it('pins each execution to the definition revision current when it started', async () => {
    await createWorkflow(system, wf('versioned', { type: 'event', event: 'doc.signed' }, [
      { id: 'hold', type: 'wait', wait: { event: 'doc.countersigned', timeout: '1h' }, next: 'decide' },
      { id: 'decide', type: 'action', action: { type: 'allow' } },
    ]));
    const first = await ingestOne(system, 'doc.signed', { doc: { id: 'A' } });
    const published = await system.call('PUT', '/workflows/versioned', wf('versioned', { type: 'event', event: 'doc.signed' }, [
      { id: 'hold', type: 'wait', wait: { event: 'doc.countersigned', timeout: '1h' }, next: 'decide' },
      { id: 'decide', type: 'action', action: { type: 'block' } },
    ]));
    expect(published.status).toBe(200);
    const second = await ingestOne(system, 'doc.signed', { doc: { id: 'B' } });
    const resumed = await ingest({ event_type: 'doc.countersigned', payload: { doc: { id: 'A' } } });
    expect(resumed.body['resumed']).toEqual([{ execution_id: first.execution_id, workflow_id: 'versioned', status: 'completed', decision: 'allowed' }]);
    const revisions = await Promise.all([first, second].map(async (started) => ((await system.execution(started.execution_id))[0]?.data as { workflow_revision: number }).workflow_revision));
    expect(revisions).toEqual([1, 2]);
  });
});

describe('idempotency and answers', () => {
  it('answers a repeated event id with the first result and appends nothing', async () => {
    const body = { event_type: 'order.created', payload: { n: 1 }, event_id: 'evt-fixed-1' };
    const first = await ingest(body);
    const before = await eventCount();
    const again = await ingest(body);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await eventCount()).toBe(before);
  });

  it('answers with the position of the last event it appended, also as X-Log-Position', async () => {
    const reply = await ingest({ event_type: 'order.shipped', payload: {} });
    const [execution] = reply.body['executions'] as { execution_id: string }[];
    const ingested = await system.store.readStream(`ingest:${system.tenant}:${String(reply.body['event_id'])}`);
    const executed = await system.execution(execution?.execution_id ?? '');
    expect(executed.at(-1)?.type).toBe('ExecutionCompleted');
    const positions = [...ingested, ...executed].map((event) => event.position);
    const last = positions.reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
    expect(reply.body['position']).toBe(formatPosition(last));
    expect(reply.headers['x-log-position']).toBe(reply.body['position']);
  });

  it('without wait, answers at once with running executions; with a short X-Max-Wait-Ms, after that bound', async () => {
    receiver.respond(() => ({ status: 200, body: {}, delayMs: 400 }));
    const quick = await ingest({ event_type: 'slow.go', payload: {} }, '');
    expect(quick.body['executions']).toEqual([expect.objectContaining({ workflow_id: 'slow', status: 'running', decision: null })]);
    const startedAt = Date.now();
    const bounded = await ingest({ event_type: 'slow.go', payload: {} }, '?wait=true', { 'x-max-wait-ms': '60' });
    expect(Date.now() - startedAt).toBeLessThan(380);
    expect(bounded.body['executions']).toEqual([expect.objectContaining({ status: 'running' })]);
    const waited = await ingest({ event_type: 'slow.go', payload: {} });
    expect(waited.body['executions']).toEqual([expect.objectContaining({ status: 'completed', decision: 'executed' })]);
    // The first two finish meanwhile; let them, so the next test counts only its own events.
    for (const early of [quick, bounded]) {
      const [entry] = early.body['executions'] as { execution_id: string }[];
      const status = await currentStatus({ runner: system.engine.runner }, system.tenant, entry?.execution_id ?? '', 'slow');
      expect((await settle({ bus: system.engine.bus, runner: system.engine.runner, pollMs: 20 }, status, Date.now() + 5_000)).status).toBe('completed');
    }
    receiver.respond(() => ({ status: 200, body: {} }));
  });

  it('refuses bad input and callers without an ingesting role, appending nothing', async () => {
    const before = await eventCount();
    expect((await ingest({ event_type: 'order.*', payload: {} })).status).toBe(400);
    expect((await ingest({ event_type: 'order.created', payload: {}, extra: 1 })).status).toBe(400);
    expect((await ingest({ event_type: 'order.created', payload: {}, event_id: 'no spaces' })).status).toBe(400);
    // A wait bound that is no number of milliseconds is refused, as on reads, not replaced by the default.
    for (const bound of ['soon', '-1', '1.5', '']) {
      const reply = await ingest({ event_type: 'order.created', payload: {} }, '?wait=true', { 'x-max-wait-ms': bound });
      expect(reply.status, bound).toBe(400);
      expect((reply.body['errors'] as { pointer: string }[]).map((error) => error.pointer), bound).toEqual(['/headers/x-max-wait-ms']);
    }
    const viewer = await system.call('POST', '/events', { event_type: 'order.created', payload: {} }, { roles: ['workflow_viewer'] });
    expect(viewer.status).toBe(403);
    expect(await eventCount()).toBe(before);
    const agent = await system.call('POST', '/events', { event_type: 'order.shipped', payload: {} }, { roles: ['agent'] });
    expect(agent.status).toBe(202);
  });
});
