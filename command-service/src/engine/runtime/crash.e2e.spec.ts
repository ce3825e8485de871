import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@iwf/contracts';
import { mintToken } from '@iwf/platform/auth/jwt';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { createPostgresEventStore } from '../../event-store/index.js';
import { COMMAND_SERVICE, request, startService, type ServiceProcess } from './testing/process.js';
import { startReceiver, type Receiver } from './testing/receiver.js';

const JWT_SECRET = 'iwf-crash-e2e-secret-0123456789abcdef';
const TENANT = `crash-${randomBytes(3).toString('hex')}`;
const JOBS = 16;
const TERMINAL = /^Execution(Completed|Failed|Cancelled|TimedOut)$/;

// Answers depend only on the request, so two runs see the same answers; each is slow, so a
// kill finds calls in flight; the first call of each job fails once, so retry timers are pending too.
function world(): Promise<Receiver> {
  const failedOnce = new Set<string>();
  return startReceiver((req) => {
    const body = req.body as { job?: unknown } | null;
    const job = typeof body?.job === 'string' ? body.job : '';
    if (req.path === '/score' && !failedOnce.has(job)) {
      failedOnce.add(job);
      return { status: 503, delayMs: 40 };
    }
    return { status: 200, delayMs: 120, body: req.path === '/score' ? { score: job.length * 7 } : { ok: true } };
  });
}

const workflows = [
  {
    workflow_id: 'job', version: '1', name: 'job', trigger: { type: 'event', event: 'job.start' },
    steps: [
      { id: 'score', type: 'execute', retry: { max_attempts: 3, backoff: 'fixed', initial_interval: '50ms', retry_on: ['5xx'] }, execute: [{ type: 'http_request', url: 'https://svc.example.com/score', body: { job: '{{job}}' } }], next: 'route' },
      { id: 'route', type: 'condition', condition: { field: 'score', operator: 'gt', value: 40 }, on_true: 'accept', on_false: 'reject' },
      { id: 'accept', type: 'action', action: { type: 'allow' }, execute: [
        { type: 'webhook', url: 'https://svc.example.com/accepted', body: { job: '{{job}}' } },
        { type: 'create_record', entity: 'ticket', data: { job: '{{job}}' } },
        { type: 'emit', event_type: 'job.accepted', payload: { job: '{{job}}' } },
      ] },
      { id: 'reject', type: 'action', action: { type: 'block' }, execute: [{ type: 'notify', recipients: ['webhook:https://svc.example.com/rejected'], message: 'rejected {{job}}' }] },
    ],
  },
  {
    workflow_id: 'followup', version: '1', name: 'followup', trigger: { type: 'event', event: 'job.accepted' },
    steps: [{ id: 'tell', type: 'execute', execute: [{ type: 'http_request', url: 'https://svc.example.com/followup', body: { job: '{{job}}' } }] }],
  },
];

interface Outcome {
  readonly executions: Record<string, { status: string; decision: string | null; steps: string[]; context: unknown }>;
  readonly records: string[];
  readonly keys: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function run(label: string, crash: boolean): Promise<Outcome> {
  const db: TestDatabase = await createTestDatabase(label);
  const receiver = await world();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  cleanups.push(async () => {
    await pool.end();
    await receiver.close();
    await db.drop();
  });
  const env = {
    APP_ENV: 'test', DATABASE_URL: db.url, JWT_SECRET, HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info',
    ENGINE_TIMER_POLL_MS: '25', ENGINE_LEASE_MS: '500', ENGINE_REPAIR_GRACE_MS: '100', OUTBOUND_HOST_MAP: `svc.example.com=${receiver.url}`,
  };
  const token = await mintToken(JWT_SECRET, { tenant: TENANT, actor: 'ops', roles: ['admin'] });
  let service: ServiceProcess = await startService(COMMAND_SERVICE, [], env, 'command service listening');
  cleanups.push(() => service.stop());
  for (const workflow of workflows) expect((await request(service.address, 'POST', '/workflows', token, workflow)).status).toBe(201);
  const ingestAll = () => Promise.all(Array.from({ length: JOBS }, (_, index) => request(service.address, 'POST', '/events', token, { event_type: 'job.start', event_id: `job-${index}`, payload: { job: `job-${'x'.repeat(index)}` } })));
  for (const reply of await ingestAll()) expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  if (crash) {
    // Mid-flight: some calls answered, many still running, retries pending.
    await receiver.waitFor(JOBS);
    await service.kill();
    // The kill did cut work short: effects requested and not recorded, executions not ended.
    const unfinished = await pool.query<{ effects: number; ended: number }>(
      "SELECT (SELECT count(*)::int FROM iwf_command.engine_effects) AS effects, (SELECT count(*)::int FROM iwf_events.events WHERE type LIKE 'Execution%' AND type <> 'ExecutionStarted') AS ended",
    );
    expect(unfinished.rows[0]?.effects).toBeGreaterThan(0);
    expect(unfinished.rows[0]?.ended).toBeLessThan(JOBS);
    service = await startService(COMMAND_SERVICE, [], env, 'command service listening');
    // A client that got no answer retries with the same event ids: nothing starts twice.
    for (const reply of await ingestAll()) expect(reply.status).toBe(202);
  }
  const accepted = Array.from({ length: JOBS }, (_, index) => `job-${'x'.repeat(index)}`.length * 7 > 40).filter(Boolean).length;
  await terminalEvents(db.url, JOBS + accepted);
  return outcome(pool, receiver);
}

/** Resolves once the log holds this many ended executions. */
async function terminalEvents(url: string, count: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const store = createPostgresEventStore({ pool, connectionString: url, timing: { pollMs: 100 } });
  let seen = 0;
  const subscription = store.subscribe(async (events: readonly RecordedEvent[]) => {
    seen += events.filter((event) => TERMINAL.test(event.type)).length;
    if (seen >= count) void subscription.stop();
  });
  await subscription.done;
  await store.close();
  await pool.end();
  expect(seen).toBe(count);
}

async function outcome(pool: pg.Pool, receiver: Receiver): Promise<Outcome> {
  const events = await pool.query<{ stream_id: string; type: string; data: Record<string, unknown> }>(
    "SELECT stream_id, type, data FROM iwf_events.events WHERE stream_id LIKE 'execution:%' ORDER BY tx_id, position",
  );
  const executions: Outcome['executions'] = {};
  for (const { stream_id, type, data } of events.rows) {
    const id = stream_id.split(':')[2] ?? '';
    // The trigger's arrival time is the only thing two runs cannot share.
    if (type === 'ExecutionStarted') executions[id] = { status: 'running', decision: null, steps: [], context: JSON.parse(JSON.stringify(data['context']).replace(/"received_at":"[^"]*"/g, '"received_at":"-"')) };
    const entry = executions[id];
    if (entry === undefined) continue;
    if (type === 'StepCompleted') entry.steps.push(String(data['step_id']));
    if (type === 'ExecutionCompleted') Object.assign(entry, { status: 'completed', decision: data['decision'] });
    if (TERMINAL.test(type) && type !== 'ExecutionCompleted') entry.status = type;
  }
  const records = await pool.query<{ event_id: string }>("SELECT event_id::text FROM iwf_events.events WHERE stream_id LIKE 'integration:%' ORDER BY 1");
  const keys = [...new Set(receiver.requests.map((req) => String(req.headers['idempotency-key'])))].sort();
  return { executions, records: records.rows.map((row) => row.event_id), keys };
}

describe('the command service killed with executions in flight', () => {
  let uninterrupted: Outcome;
  let killed: Outcome;

  beforeAll(async () => {
    uninterrupted = await run('crash_clean', false);
    killed = await run('crash_killed', true);
  }, 180_000);

  it('finishes every execution exactly as an uninterrupted run does', () => {
    expect(Object.keys(killed.executions).length).toBe(Object.keys(uninterrupted.executions).length);
    expect(killed.executions).toEqual(uninterrupted.executions);
    expect(Object.values(killed.executions).every((entry) => entry.status === 'completed')).toBe(true);
  });

  it('publishes each integration event once and calls out with the same idempotency keys', () => {
    expect(killed.records).toEqual(uninterrupted.records);
    expect(killed.keys).toEqual(uninterrupted.keys);
  });
});
