import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARAM_LENGTH } from '@iwf/platform/http/app';
import { after, apiClient, bodyOf, pointersOf, type ApiClient, type Reply } from './testing/http.js';
import { startTestSystem, type TestSystem } from './testing/system.js';
import { legacyWorkflow } from './testing/workflows.js';

const MB = 1024 * 1024;

let system: TestSystem;
let api: ApiClient;

beforeAll(async () => {
  // MAX_REQUEST_SIZE_MB is left at its default (1), which is what these tests pin down.
  system = await startTestSystem('http_limits');
  api = apiClient(system.app, await system.tokenFor('acme'));
});

afterAll(async () => {
  await system?.close();
});

/** A JSON workflow document of exactly `bytes` bytes, padded with an unknown top-level key. */
function documentOfSize(workflowId: string, bytes: number): string {
  const empty = JSON.stringify({ ...legacyWorkflow(workflowId), padding: '' });
  return JSON.stringify({ ...legacyWorkflow(workflowId), padding: 'x'.repeat(bytes - empty.length) });
}

async function rejected(request: () => Promise<Reply>): Promise<Reply> {
  const before = await system.eventCount();
  const reply = await request();
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await system.eventCount()).toBe(before);
  return reply;
}

const json = { 'content-type': 'application/json' };

describe('request limits', () => {
  it('answers 413 problem to a body over MAX_REQUEST_SIZE_MB, appending nothing', async () => {
    expect(system.config.bodyLimitBytes).toBe(MB);
    const payload = documentOfSize('too_big', MB + 1);
    expect(Buffer.byteLength(payload)).toBe(MB + 1);
    const reply = await rejected(() => api.send('POST', '/workflows', { payload, headers: json }));
    expect(reply.statusCode).toBe(413);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/body-too-large$/), title: expect.any(String), status: 413 });
  });

  it('reads a body of exactly the limit, and leaves its judgement to the definition rules', async () => {
    const reply = await rejected(() => api.send('POST', '/workflows', { payload: documentOfSize('at_limit', MB), headers: json }));
    // The definition itself may be at most 256 KiB: a 400 about the document, not a 413.
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['']);
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'answers 415 problem to a %s body, appending nothing',
    async (contentType) => {
      const reply = await rejected(() => api.send('POST', '/workflows', { payload: JSON.stringify(legacyWorkflow('wrong_type')), headers: { 'content-type': contentType } }));
      expect(reply.statusCode, reply.body).toBe(415);
      expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/unsupported-media-type$/), status: 415 });
    },
  );

  it('accepts JSON with a charset parameter', async () => {
    const reply = await api.send('POST', '/workflows', { payload: JSON.stringify(legacyWorkflow('with_charset')), headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(reply.statusCode, reply.body).toBe(201);
  });

  it('answers 400 to an empty JSON body, pointing at the body', async () => {
    const reply = await rejected(() => api.send('POST', '/workflows', { payload: '', headers: json }));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['']);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const reply = await api.get('/no-such-thing');
    expect(reply.statusCode).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/not-found$/), status: 404 });
  });

  it('takes a JSON body with its own types: a number where a string belongs is a 400, not coerced', async () => {
    const reply = await rejected(() => api.post('/rules', { rule_id: 'typed', name: 123, condition: {} }));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['/name']);
    const lone = await rejected(() => api.post('/api-keys', { name: 'k', roles: 'admin' }));
    expect(lone.statusCode).toBe(400);
    expect(pointersOf(lone)).toEqual(['/roles']);
    // Query strings are text, and are still read as the schema's types.
    const listed = await api.get('/workflows?limit=2');
    expect(listed.statusCode, listed.body).toBe(200);
  });

  it('addresses a workflow by the longest id a definition may have (128 characters)', async () => {
    const id = `w${'x'.repeat(127)}`;
    const created = await api.post('/workflows', legacyWorkflow(id));
    expect(created.statusCode, created.body).toBe(201);
    const read = await api.get(`/workflows/${id}`, after(created));
    expect(read.statusCode, read.body).toBe(200);
    expect(bodyOf(read)['workflow_id']).toBe(id);
  });

  it('answers a malformed percent-escape in the path with a 400 problem, before any route runs', async () => {
    const reply = await rejected(() => api.get('/workflows/%E0%A4%A'));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['/url']);
  });

  it('answers a path parameter longer than the router takes with a 414 problem, and a long id within it with a 400 naming it', async () => {
    const overlong = await rejected(() => api.get(`/workflows/${'x'.repeat(MAX_PARAM_LENGTH + 1)}`));
    expect(overlong.statusCode).toBe(414);
    expect(bodyOf(overlong)).toMatchObject({ type: expect.stringMatching(/uri-too-long$/), status: 414 });
    const long = await rejected(() => api.get(`/workflows/${'x'.repeat(200)}`));
    expect(long.statusCode).toBe(400);
    expect(pointersOf(long)).toEqual(['/params/workflow_id']);
  });
});

// Last in the file: it breaks the system's database pool for good.
describe('a server error', () => {
  const LEAKS = /stack|at \w+ \(|\.ts:\d|\.js:\d|pool|SELECT|INSERT|iwf_|postgres|ECONNREFUSED|Error:/i;

  it('never leaks internals to the client when PostgreSQL is gone', async () => {
    const created = await api.post('/workflows', legacyWorkflow('before_outage'));
    expect((await api.get('/workflows', after(created))).statusCode).toBe(200);
    // pool.end() settles only once checked-out clients (the projector's lock) are released;
    // it refuses new queries at once, which is the outage this test needs.
    void system.resource('postgres').close().catch(() => undefined);

    const attempts: [string, () => Promise<Reply>][] = [
      ['create', () => api.post('/workflows', legacyWorkflow('during_outage'))],
      ['create with an idempotency key', () => api.post('/workflows', legacyWorkflow('during_outage'), { 'idempotency-key': 'outage' })],
      ['disable', () => api.post('/workflows/before_outage/disable')],
      ['list', () => api.get('/workflows')],
      ['list waiting for a position', () => api.get('/workflows', after(created))],
    ];
    for (const [name, attempt] of attempts) {
      const reply = await attempt();
      expect(reply.statusCode, `${name}: ${reply.body}`).toBe(503);
      expect(reply.headers['retry-after'], name).toBeDefined();
      expect(reply.headers['content-type'], name).toMatch(/^application\/problem\+json/);
      const body = bodyOf(reply);
      expect(Object.keys(body).every((key) => ['type', 'title', 'status', 'detail', 'instance'].includes(key)), `${name}: ${reply.body}`).toBe(true);
      expect(body, name).toMatchObject({ type: expect.any(String), title: expect.any(String), status: reply.statusCode });
      expect(reply.body, name).not.toMatch(LEAKS);
    }
    // The details went to the log instead.
    expect(system.logs().some((line) => line['msg'] === 'a dependency is unavailable' && typeof (line['err'] as { stack?: unknown } | undefined)?.stack === 'string')).toBe(true);

    const ready = await system.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', checks: { postgres: 'unavailable' } });
    expect(ready.body).not.toMatch(/stack|SELECT|Error:|pool/i);
  });
});
