import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '@iwf/contracts';
import { createSecretStore } from '../adapters/secrets.js';
import { createEffectPorts } from './effects/ports.js';
import { engineIds } from './ids.js';
import { awaitEvent } from './testing/await.js';
import type { ClaimedEffect } from './work-sync.js';
import { startReceiver, type Receiver } from './testing/receiver.js';
import { startEngineSystem, type EngineTestSystem } from './testing/system.js';
import { createWorkflow, effectOutcomes, ingestOne, stepsRun } from './testing/world.js';

let receiver: Receiver;
let system: EngineTestSystem;

const workflow = (id: string, event: string, steps: unknown[], extra: Record<string, unknown> = {}) => ({
  workflow_id: id, version: '1', name: id, trigger: { type: 'event', event }, steps, ...extra,
});
const call = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id, type: 'execute', execute: [{ type: 'http_request', url: `https://svc.example.com${path}`, body: { n: '{{n}}' } }], ...extra,
});

beforeAll(async () => {
  receiver = await startReceiver();
  system = await startEngineSystem('effects', { OUTBOUND_HOST_MAP: `svc.example.com=${receiver.url}`, ENGINE_MAX_CHAIN_DEPTH: '3' });
  await createWorkflow(system, workflow('flaky', 'flaky.go', [call('post', '/flaky', { retry: { max_attempts: 3, backoff: 'fixed', initial_interval: '20ms', retry_on: ['5xx'] } })]));
  await createWorkflow(system, workflow('hopeless', 'hopeless.go', [
    call('post', '/down', { retry: { max_attempts: 2, backoff: 'exponential', initial_interval: '10ms', retry_on: ['*'] }, on_error: 'fallback' }),
    { id: 'fallback', type: 'action', action: { type: 'block', reason: 'service down' } },
  ]));
  await createWorkflow(system, workflow('slow', 'slow.go', [call('post', '/slow', { timeout: '150ms' })]));
  await createWorkflow(system, workflow('big', 'big.go', [call('get', '/big')]));
  await createWorkflow(system, workflow('enriched', 'enrich.me', [{ id: 'ok', type: 'action', action: { type: 'allow' } }], { context: { load: ['customer.profile', 'order.details'] } }));
  await createWorkflow(system, workflow('echo', 'ping', [{ id: 'again', type: 'execute', execute: [{ type: 'emit', event_type: 'ping', payload: { hop: '{{hop}}' } }] }]));
});

afterAll(async () => {
  await system?.close();
  await receiver?.close();
});

describe('http effects', () => {
  it('retries a receiver that fails twice, sending the same Idempotency-Key three times', async () => {
    receiver.respond((request, index) => (request.path === '/flaky' && receiver.requests.filter((r) => r.path === '/flaky').length <= 2 ? { status: 503 } : { status: 200, body: { done: index } }));
    const started = await ingestOne(system, 'flaky.go', { n: 1 });
    expect(started).toMatchObject({ status: 'completed', decision: 'executed' });
    const calls = receiver.requests.filter((request) => request.path === '/flaky');
    expect(calls).toHaveLength(3);
    const keys = new Set(calls.map((request) => request.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toContain(started.execution_id);
    const events = await system.execution(started.execution_id);
    expect(events.filter((event) => event.type === 'StepFailed').map((event) => (event.data as { error: { kind: string; status: number } }).error)).toEqual([
      expect.objectContaining({ kind: 'http_5xx', status: 503 }),
      expect.objectContaining({ kind: 'http_5xx', status: 503 }),
    ]);
  });

  it('takes on_error once the retries are used up', async () => {
    receiver.respond(() => ({ status: 500 }));
    const started = await ingestOne(system, 'hopeless.go', { n: 2 });
    expect(started).toMatchObject({ status: 'completed', decision: 'blocked' });
    expect(receiver.requests.filter((request) => request.path === '/down')).toHaveLength(2);
    expect(stepsRun(await system.execution(started.execution_id))).toEqual(['fallback']);
    receiver.respond(() => ({ status: 200, body: {} }));
  });

  it('aborts a call at the step timeout and fails the execution with a timeout', async () => {
    receiver.respond((request) => (request.path === '/slow' ? { status: 200, delayMs: 1_500 } : { status: 200 }));
    const started = await ingestOne(system, 'slow.go', { n: 3 });
    expect(started).toMatchObject({ status: 'failed' });
    const events = await system.execution(started.execution_id);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', data: { step_id: 'post', error: { kind: 'timeout' } } });
    receiver.respond(() => ({ status: 200, body: {} }));
  });

  it('records at most 64 KiB of an answer, marked truncated', async () => {
    receiver.respond((request) => (request.path === '/big' ? { status: 200, body: { blob: 'x'.repeat(200_000) } } : { status: 200 }));
    const started = await ingestOne(system, 'big.go', { n: 4 });
    expect(started).toMatchObject({ status: 'completed' });
    const [result] = effectOutcomes(await system.execution(started.execution_id), 'http_request') as { status: number; body: string; truncated: boolean }[];
    expect(result?.status).toBe(200);
    expect(result?.truncated).toBe(true);
    expect(Buffer.byteLength(result?.body ?? '')).toBeLessThanOrEqual(65_536);
    receiver.respond(() => ({ status: 200, body: {} }));
  });
});

describe('context.load', () => {
  it('records every resource as skipped when no enrichment endpoint is configured, and runs on', async () => {
    const started = await ingestOne(system, 'enrich.me', { customer: { id: 'C-1' } });
    expect(started).toMatchObject({ status: 'completed', decision: 'allowed' });
    const loaded = (await system.execution(started.execution_id)).find((event) => event.type === 'ContextLoaded');
    expect(loaded?.data).toMatchObject({
      resources: [
        { name: 'customer.profile', status: 'skipped', error: expect.stringContaining('ENRICHMENT_URL') },
        { name: 'order.details', status: 'skipped', error: expect.stringContaining('ENRICHMENT_URL') },
      ],
      values: {},
    });
  });
});

describe('emit after an upgrade', () => {
  it('answers an emit the previous version performed (the engine’s record under the unprefixed id), and ingests anew past a record a client made', async () => {
    const ports = createEffectPorts({
      store: system.store,
      runner: system.engine.runner,
      approvals: system.engine.approvals,
      ingest: (tenant, request, actor) => system.engine.ingest(tenant, request, actor),
      settings: { http: { hostMap: new Map(), timeoutMs: 1_000, responseLimitBytes: 1_024 }, notify: {} as never, enrichment: {} as never },
      secrets: createSecretStore(),
      maxChainDepth: 3,
    });
    const started = await ingestOne(system, 'flaky.go', { n: 2 });
    const effect = (key: string): ClaimedEffect => ({ tenant: system.tenant, execution_id: started.execution_id, effect_id: key, kind: 'emit', idempotency_key: key, request: {}, deadline: null });
    const legacyRecord = (key: string, actor: string) =>
      system.engine.ingest(system.tenant, { event_type: 'upgrade.emitted', payload: {}, source: `execution:${started.execution_id}`, event_id: engineIds.legacyEmittedEvent(system.tenant, key) }, { actor });

    await legacyRecord('performed-before', 'system:engine');
    const answered = (await ports.emit(effect('performed-before'), { event_type: 'upgrade.emitted', payload: {} })) as { event_id: string };
    expect(answered.event_id).toBe(engineIds.legacyEmittedEvent(system.tenant, 'performed-before'));
    expect(await system.store.readStream(streamId('ingest', system.tenant, engineIds.emittedEvent(system.tenant, 'performed-before')))).toEqual([]);

    await legacyRecord('taken-by-a-client', 'mallory');
    const own = (await ports.emit(effect('taken-by-a-client'), { event_type: 'upgrade.emitted', payload: {} })) as { event_id: string };
    expect(own.event_id).toBe(engineIds.emittedEvent(system.tenant, 'taken-by-a-client'));
    expect(await system.store.readStream(streamId('ingest', system.tenant, own.event_id))).toHaveLength(1);
  });
});

describe('emit', () => {
  it('chains workflows, and refuses the emit that would go deeper than ENGINE_MAX_CHAIN_DEPTH', async () => {
    const refused = awaitEvent(system.store, (event) => event.type === 'EffectFailed' && JSON.stringify(event.data).includes('chain'));
    await ingestOne(system, 'ping', { hop: 0 });
    await refused;
    const started = await system.pool.query<{ depth: number }>(
      "SELECT (metadata->>'chain_depth')::int AS depth FROM iwf_events.events WHERE type = 'ExecutionStarted' AND data->>'workflow_id' = 'echo' ORDER BY position",
    );
    expect(started.rows.map((row) => row.depth)).toEqual([0, 1, 2, 3]);
    const ingested = await system.pool.query("SELECT count(*)::int AS n FROM iwf_events.events WHERE type = 'EventIngested' AND data->>'event_type' = 'ping'");
    expect(ingested.rows[0]).toEqual({ n: 4 });
  });
});
