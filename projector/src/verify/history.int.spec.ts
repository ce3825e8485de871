import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditStreamView, ExecutionEvent } from '@iwf/contracts';
import { currentSchemaVersion, formatPosition, streamId } from '@iwf/contracts';
import { evolve, initialState } from '@iwf/command-service/engine/domain/execution/index';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { createHttpApp } from '@iwf/platform/http/app';
import { registerQueryService } from '@iwf/query-service';
import { createPositionWatcher } from '@iwf/query-service/positions/watcher';
import type { ApiClient } from '../runtime/testing/http.js';
import { apiClient, bodyOf } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';
import { iwf, toolingEnv } from './testing/cli.js';
import { recordOrderReview } from './testing/scenario.js';

/**
 * A recorded execution (decided by the engine, appended one decision at a time with who
 * caused each) read back at a revision in its middle: after the approval was requested,
 * before anyone decided it or the payment arrived.
 */
let system: TestSystem;
let pool: pg.Pool;
let tenant: string;
let stream: string;
let middle: number;
const { events, decisions } = recordOrderReview();
const ACTORS = ['engine', 'engine', 'engine', 'engine', 'manager-1', 'agent-1'];

beforeAll(async () => {
  system = await startTestSystem('history');
  pool = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  const store = createPostgresEventStore({ pool });
  tenant = system.tenant('acme');
  stream = streamId('execution', tenant, 'ex-1');
  let revision = -1;
  for (const [index, decision] of decisions.entries()) {
    const metadata = { tenant, actor: ACTORS[index]!, correlation_id: 'order-o-7', causation_id: `command-${index}` };
    const appended = decision.map((event) => ({ event_id: randomUUID(), type: event.type, schema_version: currentSchemaVersion(event.type), data: event.data, metadata }));
    await store.append(stream, appended, revision < 0 ? 'no_stream' : revision);
    revision += decision.length;
    if (index === 3) middle = revision;
  }
  await store.close();
});

afterAll(async () => {
  await pool.end();
  await system.close();
});

/** What the engine's own fold says an observer had after the first `count` events. */
const foldedAt = (revision: number) => JSON.parse(JSON.stringify(events.slice(0, revision + 1).reduce((state, event: ExecutionEvent) => evolve(state, event), initialState))) as unknown;

function expectMiddleState(view: AuditStreamView): void {
  expect(view).toMatchObject({ stream_id: stream, revision: middle, head_revision: events.length - 1 });
  expect(view.events.map((event) => event.type)).toEqual(events.slice(0, middle + 1).map((event) => event.type));
  expect(view.state).toEqual(foldedAt(middle));
  expect(view.state).toMatchObject({
    status: 'running',
    decision: null,
    current_step: { step_id: 'gate' },
    approvals: [{ step_id: 'gate', status: 'pending' }],
    steps: [
      { step_id: 'score', status: 'completed', attempts: 2 },
      { step_id: 'check', status: 'completed', output: { result: true } },
      { step_id: 'gate', status: 'waiting' },
    ],
  });
  expect(JSON.stringify(view.state)).not.toContain('evt-pay-1');
}

describe('iwf history', () => {
  it('shows the state an observer had at a revision in the middle of the execution', async () => {
    const result = await iwf(['history', stream, '--at-revision', String(middle), '--json'], toolingEnv(system.config.databaseUrl));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expectMiddleState(JSON.parse(result.stdout) as AuditStreamView);
  });

  it('cuts at a time the same way, and prints a table with who caused each event', async () => {
    const cut = await pool.query<{ at: Date }>('SELECT recorded_at AS at FROM iwf_events.events WHERE stream_id = $1 AND stream_revision = $2', [stream, middle]);
    const byTime = await iwf(['history', stream, '--at-time', cut.rows[0]!.at.toISOString(), '--json'], toolingEnv(system.config.databaseUrl));
    expectMiddleState(JSON.parse(byTime.stdout) as AuditStreamView);

    const table = await iwf(['history', stream], toolingEnv(system.config.databaseUrl));
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^REV\s+RECORDED_AT\s+TYPE\s+ACTOR\s+CORRELATION\s+CAUSATION$/);
    expect(lines.find((line) => line.includes('ApprovalResolved'))).toMatch(/manager-1\s+order-o-7\s+command-4$/);
    expect(table.stdout).toContain(`State of ${stream} at revision ${events.length - 1} of ${events.length - 1}:`);
    expect(table.stdout).toContain('"status": "completed"');
  });

  it('exits 1 for a stream that does not exist and 2 for a malformed request', async () => {
    const env = toolingEnv(system.config.databaseUrl);
    expect((await iwf(['history', streamId('execution', tenant, 'nope')], env)).code).toBe(1);
    expect((await iwf(['history', 'not-a-stream'], env)).code).toBe(2);
    expect((await iwf(['history', stream, '--at-revision', '3', '--at-time', '2024-01-01T00:00:00Z'], env)).code).toBe(2);
    expect((await iwf(['history', stream, '--at-revision', '-1'], env)).code).toBe(2);
  });
});

describe('GET /audit/streams/{id}', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = apiClient(system.app, await system.tokenFor('acme', ['workflow_viewer']));
  });

  it('answers the events with their metadata and the state folded at the revision', async () => {
    const reply = await api.get(`/audit/streams/${stream}?at_revision=${middle}`);
    expect(reply.statusCode, reply.body).toBe(200);
    const view = reply.json() as AuditStreamView;
    expectMiddleState(view);
    expect(reply.headers['etag']).toBe(`"${middle}-${events.length - 1}"`);
    expect((await api.get(`/audit/streams/${stream}`)).headers['etag']).toBe(`"${events.length - 1}"`);
    expect(view.events[0]?.metadata).toEqual({ tenant, actor: 'engine', correlation_id: 'order-o-7', causation_id: 'command-0' });
  });

  it("answers 404 for another tenant's stream and 403 to a role that may not audit", async () => {
    const other = apiClient(system.app, await system.tokenFor('other'));
    expect((await other.get(`/audit/streams/${stream}`)).statusCode).toBe(404);
    expect((await other.get(`/audit/streams/${streamId('execution', system.tenant('other'), 'ex-1')}`)).statusCode).toBe(404);
    const agent = apiClient(system.app, await system.tokenFor('acme', ['agent']));
    expect((await agent.get(`/audit/streams/${stream}`)).statusCode).toBe(403);
  });
});

describe('GET /audit/events', () => {
  it('lists the tenant’s events by actor and correlation id, newest first, a page at a time', async () => {
    const api = apiClient(system.app, await system.tokenFor('acme', ['admin']));
    const byManager = bodyOf(await api.get('/audit/events?actor=manager-1'));
    expect(byManager.items?.map((item) => item['type'])).toEqual(decisions[4]!.map((event) => event.type).reverse());

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = bodyOf(await api.get(`/audit/events?correlation_id=order-o-7&limit=4${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...(page.items ?? []).map((item) => Number(item['stream_revision'])));
      cursor = page['next_cursor'] as string | null;
    } while (cursor);
    expect(seen).toEqual(events.map((_, revision) => revision).reverse());

    const none = bodyOf(await api.get('/audit/events?from=2100-01-01T00:00:00Z'));
    expect(none.items).toEqual([]);
    expect((await api.get('/audit/events?cursor=bogus')).statusCode).toBe(400);
    const other = apiClient(system.app, await system.tokenFor('other'));
    expect(bodyOf(await other.get('/audit/events?correlation_id=order-o-7')).items).toEqual([]);
  });

  // Each of these once reached PostgreSQL and failed there, as a 500.
  it.each([
    ['a cursor past the largest transaction id', '/audit/events?cursor=' + Buffer.from('["18446744073709551616","1"]').toString('base64url'), '/querystring/cursor'],
    ['a cursor past the largest position', '/audit/events?cursor=' + Buffer.from('["1","9223372036854775808"]').toString('base64url'), '/querystring/cursor'],
    ['a time before the year 1', '/audit/events?from=-005000-01-01T00:00:00Z', '/querystring/from'],
    ['a time after the year 9999', '/audit/events?to=%2B010000-01-01T00:00:00Z', '/querystring/to'],
    ['a cut at a time before the year 1', 'STREAM?at_time=-005000-01-01T00:00:00Z', '/querystring/at_time'],
    // These once passed as times JavaScript's Date guessed at (2001-01-01, May 5 2001, server-local time).
    ['a time that is a number', '/audit/events?from=1', '/querystring/from'],
    ['a date in words', '/audit/events?from=May%205', '/querystring/from'],
    ['a time without its time zone', '/audit/events?to=2024-01-01T10:00:00', '/querystring/to'],
    ['a cut at a number', 'STREAM?at_time=1', '/querystring/at_time'],
  ])('answers 400 to %s', async (_name, path, pointer) => {
    const api = apiClient(system.app, await system.tokenFor('acme', ['admin']));
    const reply = await api.get(path.replace('STREAM', `/audit/streams/${stream}`));
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((reply.json() as { errors: { pointer: string }[] }).errors.map((error) => error.pointer)).toEqual([pointer]);
  });
});

describe('a stream longer than one audit answer', () => {
  it('answers 400 pointing at at_revision, and the stream up to an earlier revision', async () => {
    const store = createPostgresEventStore({ pool });
    const long = streamId('ingest', tenant, 'long-stream');
    for (let chunk = 0; chunk < 11; chunk++) {
      const events = Array.from({ length: chunk < 10 ? 1_000 : 1 }, (_, n) => ({
        event_id: randomUUID(), type: 'NoteTaken', data: { n: chunk * 1_000 + n }, metadata: { tenant, actor: 'tester', correlation_id: 'long' },
      }));
      await store.append(long, events, chunk === 0 ? 'no_stream' : chunk * 1_000 - 1);
    }
    await store.close();
    const api = apiClient(system.app, await system.tokenFor('acme', ['admin']));
    const whole = await api.get(`/audit/streams/${long}`);
    expect(whole.statusCode, whole.body).toBe(400);
    expect((whole.json() as { errors: { pointer: string }[] }).errors.map((error) => error.pointer)).toEqual(['/querystring/at_revision']);
    const earlier = bodyOf(await api.get(`/audit/streams/${long}?at_revision=9999`));
    expect(earlier).toMatchObject({ revision: 9_999, head_revision: 10_000 });
    expect((earlier['events'] as unknown[]).length).toBe(10_000);
  });
});

describe('audit reads and log positions', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = apiClient(system.app, await system.tokenFor('acme', ['admin']));
  });

  /** One event in a stream of its own, committed; its position as the API writes it. */
  async function appendOne(id: string): Promise<string> {
    const store = createPostgresEventStore({ pool });
    try {
      const metadata = { tenant, actor: 'auditor-test', correlation_id: `corr-${id}`, causation_id: 'test' };
      const [first] = decisions[0]!;
      const result = await store.append(streamId('execution', tenant, id), [{ event_id: randomUUID(), type: first!.type, schema_version: currentSchemaVersion(first!.type), data: first!.data, metadata }], 'no_stream');
      return formatPosition(result.position);
    } finally {
      await store.close();
    }
  }

  it('reports the log position on both routes: the newest event every answer includes', async () => {
    const position = await appendOne('ex-positions');
    // The horizon is the server's: another database's open transaction may hold it back a moment.
    const settled = { 'x-min-position': position };
    for (const path of [`/audit/streams/${streamId('execution', tenant, 'ex-positions')}`, '/audit/events?correlation_id=corr-ex-positions']) {
      const reply = await api.get(path, settled);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.headers['x-log-position'], path).toBe(position);
    }
    const refused = await api.get('/audit/events?cursor=bogus', settled);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['x-log-position']).toBe(position);
    // Refused before the handler (schema, authentication, role): the reach last read.
    const anonymous = apiClient(system.app);
    const agent = apiClient(system.app, await system.tokenFor('acme', ['agent']));
    for (const [status, reply] of [
      [400, await api.get('/audit/events?limit=0')],
      [401, await anonymous.get('/audit/events')],
      [403, await agent.get(`/audit/streams/${stream}`)],
    ] as const) {
      expect(reply.statusCode).toBe(status);
      expect(reply.headers['x-log-position'], String(status)).toBe(position);
    }
  });

  it('waits for X-Min-Position while an older transaction holds the log back, and answers 503 when the wait runs out', async () => {
    const older = await pool.connect();
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()'); // an id below the next append's, not yet committed
      const position = await appendOne('ex-held-back');
      const path = '/audit/events?correlation_id=corr-ex-held-back';

      expect(bodyOf(await api.get(path)).items).toEqual([]); // beyond the log's horizon until the older transaction ends
      const behind = await api.get(path, { 'x-min-position': position, 'x-max-wait-ms': '150' });
      expect(behind.statusCode).toBe(503);
      expect(behind.headers['retry-after']).toBe('1');
      expect(bodyOf(behind)).toMatchObject({ type: expect.stringMatching(/projection-behind$/), detail: expect.stringMatching(/^The event log has not reached/) });

      const waiting = api.get(`${path}&min_position=${position}`, { 'x-max-wait-ms': '5000' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await older.query('COMMIT');
      const reply = await waiting;
      expect(reply.statusCode, reply.body).toBe(200);
      expect(bodyOf(reply).items?.map((item) => item['position'])).toEqual([position]);
      expect(reply.headers['x-log-position']).toBe(position);
    } finally {
      await older.query('ROLLBACK').catch(() => undefined);
      older.release();
    }
  });

  it('answers 400 to a malformed X-Min-Position, on both routes', async () => {
    for (const path of [`/audit/streams/${stream}`, '/audit/events']) {
      const reply = await api.get(path, { 'x-min-position': 'not-a-position' });
      expect(reply.statusCode, path).toBe(400);
      expect((reply.json() as { errors: { pointer: string }[] }).errors.map((error) => error.pointer)).toEqual(['/headers/x-min-position']);
    }
  });

  it('answers a problem, and no internals, when the database cannot be reached', async () => {
    const unreachable = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 });
    const watcher = await createPositionWatcher({ pool, connectionString: system.config.databaseUrl, logger: pino({ level: 'silent' }) });
    const app = await createHttpApp({ config: system.config, logger: false });
    try {
      await registerQueryService(app, { pool: unreachable, cache: createMemoryCache() }, { watcher, defaultWaitMs: 200 });
      const token = await system.tokenFor('acme', ['admin']);
      for (const headers of [{}, { 'x-min-position': '0-0' }]) {
        const reply = await app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: { authorization: `Bearer ${token}`, ...headers } });
        expect(reply.statusCode, reply.body).toBeGreaterThanOrEqual(500);
        expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(reply.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|5432|:1\b/);
      }
    } finally {
      await app.close();
      await watcher.close();
      await unreachable.end();
    }
  });
});

