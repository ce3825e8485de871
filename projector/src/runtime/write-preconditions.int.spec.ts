import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAdmin } from '@iwf/platform/testing/database';
import { after, apiClient, bodyOf, pointersOf, type ApiClient, type Reply } from './testing/http.js';
import { startTestSystem, type TestSystem } from './testing/system.js';
import { allowStep, legacyWorkflow } from './testing/workflows.js';

let system: TestSystem;
let api: ApiClient;
let other: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('wf_preconditions');
  api = apiClient(system.app, await system.tokenFor('acme'));
  other = apiClient(system.app, await system.tokenFor('globex'));
});

afterAll(async () => {
  await system?.close();
});

async function appendedBy(request: () => Promise<Reply>): Promise<{ reply: Reply; appended: number }> {
  const before = await system.eventCount();
  const reply = await request();
  return { reply, appended: (await system.eventCount()) - before };
}

const problemType = (reply: Reply): string => String(bodyOf(reply)['type']);

describe('If-Match', () => {
  it('lets a write through when it names the current revision, taken from the ETag of a read', async () => {
    const created = await api.post('/workflows', legacyWorkflow('matched'));
    const read = await api.get('/workflows/matched', after(created));
    expect(read.headers['etag']).toBe('"0"');

    const disabled = await api.post('/workflows/matched/disable', undefined, { 'if-match': String(read.headers['etag']) });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(bodyOf(disabled)['revision']).toBe(1);

    const published = await api.put('/workflows/matched', legacyWorkflow('matched', { version: '2' }), { 'if-match': 'W/"1"' });
    expect(published.statusCode, published.body).toBe(200);
    expect(bodyOf(published)['revision']).toBe(2);

    const archived = await api.delete('/workflows/matched', { 'if-match': '"2"' });
    expect(archived.statusCode, archived.body).toBe(200);
    expect(bodyOf(archived)['revision']).toBe(3);
  });

  it('answers 412 to a stale revision, for every command, and appends nothing', async () => {
    await api.post('/workflows', legacyWorkflow('stale'));
    await api.post('/workflows/stale/disable');
    const attempts: [string, () => Promise<Reply>][] = [
      ['publish', () => api.put('/workflows/stale', legacyWorkflow('stale', { version: '2' }), { 'if-match': '"0"' })],
      ['enable', () => api.post('/workflows/stale/enable', undefined, { 'if-match': '"0"' })],
      ['disable', () => api.post('/workflows/stale/disable', undefined, { 'if-match': '"0"' })],
      ['archive', () => api.delete('/workflows/stale', { 'if-match': '"0"' })],
      ['a revision from the future', () => api.post('/workflows/stale/enable', undefined, { 'if-match': '"7"' })],
    ];
    for (const [name, attempt] of attempts) {
      const { reply, appended } = await appendedBy(attempt);
      expect(reply.statusCode, name).toBe(412);
      expect(reply.headers['content-type'], name).toMatch(/^application\/problem\+json/);
      expect(problemType(reply), name).toMatch(/precondition-failed$/);
      expect(appended, name).toBe(0);
    }
  });

  it('answers 404, not 412, for a workflow that does not exist: the refusal holds at any revision', async () => {
    const { reply, appended } = await appendedBy(() => api.post('/workflows/never_created/enable', undefined, { 'if-match': '"0"' }));
    expect(reply.statusCode).toBe(404);
    expect(appended).toBe(0);
  });

  it.each(['1', '"one"', '"-1"', 'W/1', '"1", "2"'])('answers 400 to the malformed If-Match %s and appends nothing', async (value) => {
    await api.post('/workflows', legacyWorkflow('malformed_if_match')); // 409 after the first case: harmless
    const { reply, appended } = await appendedBy(() => api.post('/workflows/malformed_if_match/disable', undefined, { 'if-match': value }));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['/headers/if-match']);
    expect(appended).toBe(0);
  });
});

describe('commands that take no input', () => {
  it.each([
    ['enable', (body: unknown) => api.post('/workflows/no_input/enable', body)],
    ['disable', (body: unknown) => api.post('/workflows/no_input/disable', body)],
    ['archive', (body: unknown) => api.send('DELETE', '/workflows/no_input', { body })],
  ])('%s refuses a body that says something (400) and appends nothing', async (name, send) => {
    await api.post('/workflows', legacyWorkflow('no_input')); // 409 after the first case: harmless
    for (const body of [{ enabled: false }, [], 'yes', 1]) {
      const { reply, appended } = await appendedBy(() => send(body));
      expect(reply.statusCode, `${name} ${JSON.stringify(body)}`).toBe(400);
      expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(pointersOf(reply)).toEqual([Array.isArray(body) || typeof body !== 'object' ? '' : '/enabled']);
      expect(appended).toBe(0);
    }
  });

  it('refuses a query parameter a write does not take (400), appending nothing', async () => {
    await api.post('/workflows', legacyWorkflow('strict_query'));
    for (const [path, pointer] of [
      ['/workflows/strict_query/disable?bogus=1', '/querystring/bogus'],
      ['/workflows?dry_run=true', '/querystring/dry_run'],
      ['/events?wiat=true', '/querystring/wiat'],
      ['/workflows/strict_query/executions?wait=true&fast=1', '/querystring/fast'],
    ] as const) {
      const body = path.startsWith('/events') ? { event_type: 'strict.query', payload: {} } : path.endsWith('dry_run=true') ? legacyWorkflow('strict_query_2') : {};
      const { reply, appended } = await appendedBy(() => api.post(path, body));
      expect(reply.statusCode, `${path}: ${reply.body}`).toBe(400);
      expect(pointersOf(reply), path).toEqual([pointer]);
      expect(appended, path).toBe(0);
    }
    expect((await api.send('DELETE', '/workflows/strict_query?force=yes')).statusCode).toBe(400);
    expect((await api.post('/workflows/strict_query/disable')).statusCode).toBe(200);
  });

  it('answers 400 to a malformed X-Max-Wait-Ms on an ingest or a manual start, waiting or not, appending nothing', async () => {
    await api.post('/workflows', legacyWorkflow('wait_header'));
    for (const [path, body] of [
      ['/events', { event_type: 'wait.header', payload: {} }],
      ['/events?wait=true', { event_type: 'wait.header', payload: {} }],
      ['/workflows/wait_header/executions', { payload: {} }],
      ['/workflows/wait_header/executions?wait=true', { payload: {} }],
    ] as const) {
      const { reply, appended } = await appendedBy(() => api.post(path, body, { 'x-max-wait-ms': 'soon' }));
      expect(reply.statusCode, `${path}: ${reply.body}`).toBe(400);
      expect(pointersOf(reply), path).toEqual(['/headers/x-max-wait-ms']);
      expect(appended, path).toBe(0);
    }
  });

  it('takes no body, {} or null alike', async () => {
    await api.post('/workflows', legacyWorkflow('no_input_ok'));
    expect((await api.post('/workflows/no_input_ok/disable', {})).statusCode).toBe(200);
    expect((await api.post('/workflows/no_input_ok/enable', null)).statusCode).toBe(200);
    expect((await api.send('DELETE', '/workflows/no_input_ok', { body: {} })).statusCode).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer to a repeated create (status, body, X-Log-Position) and appends nothing more', async () => {
    const headers = { 'idempotency-key': 'create-once-1' };
    const { reply: first, appended } = await appendedBy(() => api.post('/workflows', legacyWorkflow('once'), headers));
    expect(first.statusCode, first.body).toBe(201);
    expect(appended).toBe(1);

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { reply: again, appended: more } = await appendedBy(() => api.post('/workflows', legacyWorkflow('once'), headers));
      expect(again.statusCode).toBe(201);
      expect(again.body).toBe(first.body);
      expect(again.headers['x-log-position']).toBe(first.headers['x-log-position']);
      expect(again.headers['content-type']).toMatch(/^application\/json/);
      expect(more).toBe(0);
    }
  });

  it('replays a first answer that was an error, too', async () => {
    await api.post('/workflows', legacyWorkflow('taken'));
    const headers = { 'idempotency-key': 'duplicate-create' };
    const first = await api.post('/workflows', legacyWorkflow('taken'), headers);
    expect(first.statusCode).toBe(409);
    await api.delete('/workflows/taken');
    const again = await api.post('/workflows', legacyWorkflow('taken'), headers);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body).toBe(first.body);
  });

  it('answers 422 to the same key with a different body, appending nothing', async () => {
    const headers = { 'idempotency-key': 'reused-key' };
    expect((await api.post('/workflows', legacyWorkflow('first_use'), headers)).statusCode).toBe(201);
    const { reply, appended } = await appendedBy(() => api.post('/workflows', legacyWorkflow('second_use'), headers));
    expect(reply.statusCode).toBe(422);
    expect(problemType(reply)).toMatch(/idempotency-key-reused$/);
    expect(appended).toBe(0);
    expect((await api.get('/workflows/second_use')).statusCode).toBe(404);
  });

  it('answers 422 to the same key on another route', async () => {
    const headers = { 'idempotency-key': 'route-bound' };
    await api.post('/workflows', legacyWorkflow('route_bound'));
    expect((await api.post('/workflows/route_bound/disable', undefined, headers)).statusCode).toBe(200);
    const { reply, appended } = await appendedBy(() => api.post('/workflows/route_bound/enable', undefined, headers));
    expect(reply.statusCode).toBe(422);
    expect(appended).toBe(0);
  });

  it('takes another If-Match as another request: the stored 412 is not replayed to the corrected one', async () => {
    await api.post('/workflows', legacyWorkflow('pinned_key'));
    const stale = await api.post('/workflows/pinned_key/disable', undefined, { 'idempotency-key': 'pinned-1', 'if-match': '"5"' });
    expect(stale.statusCode).toBe(412);
    const corrected = await appendedBy(() => api.post('/workflows/pinned_key/disable', undefined, { 'idempotency-key': 'pinned-1', 'if-match': '"0"' }));
    expect(corrected.reply.statusCode).toBe(422);
    expect(problemType(corrected.reply)).toMatch(/idempotency-key-reused$/);
    expect(corrected.appended).toBe(0);

    const first = await api.post('/workflows/pinned_key/disable', undefined, { 'idempotency-key': 'pinned-2', 'if-match': '"0"' });
    expect(first.statusCode).toBe(200);
    const again = await appendedBy(() => api.post('/workflows/pinned_key/disable', undefined, { 'idempotency-key': 'pinned-2', 'if-match': 'W/"0"' }));
    expect(again.reply.statusCode).toBe(200);
    expect(again.reply.headers['idempotent-replayed']).toBe('true');
    expect(again.appended).toBe(0);
  });

  it('takes no body, null and {} as the same request', async () => {
    await api.post('/workflows', legacyWorkflow('empty_key'));
    const headers = { 'idempotency-key': 'empty-bodies' };
    expect((await api.post('/workflows/empty_key/disable', undefined, headers)).statusCode).toBe(200);
    for (const body of [{}, null]) {
      const { reply, appended } = await appendedBy(() => api.post('/workflows/empty_key/disable', body, headers));
      expect(reply.statusCode, JSON.stringify(body)).toBe(200);
      expect(reply.headers['idempotent-replayed']).toBe('true');
      expect(appended).toBe(0);
    }
  });

  it('replays an answer stored by the previous version, whose fingerprint was method, URL and body as sent', async () => {
    await api.post('/workflows', legacyWorkflow('stored_before'));
    const url = '/api/v1/workflows/stored_before/disable';
    const legacy = createHash('sha256').update(`POST ${url}\n`).update(JSON.stringify({})).digest('base64url');
    const stored = { workflow_id: 'stored_before', revision: 1, position: 'stored-position' };
    await withAdmin(system.config.databaseUrl, (db) =>
      db.query("INSERT INTO iwf_command.idempotency_keys (tenant, key, fingerprint, status, body, log_position) VALUES ($1, 'before-upgrade', $2, 200, $3, 'stored-position')", [system.tenant('acme'), legacy, JSON.stringify(stored)]),
    );
    const { reply, appended } = await appendedBy(() => api.post('/workflows/stored_before/disable', {}, { 'idempotency-key': 'before-upgrade' }));
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.headers['idempotent-replayed']).toBe('true');
    expect(bodyOf(reply)).toEqual(stored);
    expect(appended).toBe(0);
    // Another request under that key is still refused.
    const other = await api.post('/workflows/stored_before/enable', {}, { 'idempotency-key': 'before-upgrade' });
    expect(other.statusCode).toBe(422);
  });

  it('answers 404 to a write to no route, and keeps no key for it', async () => {
    const headers = { 'idempotency-key': 'to-nowhere' };
    const first = await api.post('/no-such-route', { any: 'body' }, headers);
    expect(first.statusCode, first.body).toBe(404);
    expect(problemType(first)).toMatch(/not-found$/);
    // The key stays free for a real command.
    const created = await api.post('/workflows', legacyWorkflow('after_nowhere'), headers);
    expect(created.statusCode, created.body).toBe(201);
  });

  it('keeps keys per tenant: another tenant using the same key gets its own answer', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await api.post('/workflows', legacyWorkflow('per_tenant'), headers);
    expect(mine.statusCode).toBe(201);
    const { reply: theirs, appended } = await appendedBy(() => other.post('/workflows', legacyWorkflow('per_tenant'), headers));
    expect(theirs.statusCode, theirs.body).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.headers['x-log-position']).not.toBe(mine.headers['x-log-position']);
    expect(appended).toBe(1);
    expect((await other.get('/workflows/per_tenant', after(theirs))).statusCode).toBe(200);
  });

  it('appends once when two requests with one key race', async () => {
    const headers = { 'idempotency-key': 'raced-key' };
    const before = await system.eventCount();
    const replies = await Promise.all([0, 1, 2].map(() => api.post('/workflows', legacyWorkflow('raced', { steps: [allowStep('only')] }), headers)));
    expect(await system.eventCount()).toBe(before + 1);
    const created = replies.filter((reply) => reply.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const reply of created) expect(reply.body).toBe(created[0]?.body);
    // A request that arrives while the first is still running is told so (409), never run twice.
    for (const reply of replies.filter((candidate) => candidate.statusCode !== 201)) {
      expect(reply.statusCode).toBe(409);
      expect(problemType(reply)).toMatch(/idempotency-key-in-use$/);
    }
  });

  it('takes over a claim left unanswered by a process that died, after 10 minutes, and not before', async () => {
    const unanswered = (key: string, minutesAgo: number): Promise<unknown> =>
      withAdmin(system.config.databaseUrl, (db) =>
        db.query(
          `INSERT INTO iwf_command.idempotency_keys (tenant, key, fingerprint, created_at) VALUES ($1, $2, '2:died', now() - $3 * interval '1 minute')
           ON CONFLICT (tenant, key) DO UPDATE SET status = NULL, body = NULL, log_position = NULL, created_at = EXCLUDED.created_at`,
          [system.tenant('acme'), key, minutesAgo],
        ),
      );
    // A claim of another request, abandoned 11 minutes ago: this one takes the key and runs.
    await unanswered('died-long-ago', 11);
    const { reply: taken, appended } = await appendedBy(() => api.post('/workflows', legacyWorkflow('after_crash'), { 'idempotency-key': 'died-long-ago' }));
    expect(taken.statusCode, taken.body).toBe(201);
    expect(appended).toBe(1);
    const again = await api.post('/workflows', legacyWorkflow('after_crash'), { 'idempotency-key': 'died-long-ago' });
    expect([again.statusCode, again.headers['idempotent-replayed'], again.body]).toEqual([201, 'true', taken.body]);

    // The same request's claim, unanswered for a minute: it may still be running.
    await unanswered('died-long-ago', 1);
    const { reply: busy, appended: none } = await appendedBy(() => api.post('/workflows', legacyWorkflow('after_crash'), { 'idempotency-key': 'died-long-ago' }));
    expect(busy.statusCode).toBe(409);
    expect(problemType(busy)).toMatch(/idempotency-key-in-use$/);
    expect(none).toBe(0);
  });

  it.each([['too long', 'k'.repeat(256)], ['with a space', 'two words']])('rejects a key %s (400)', async (_name, key) => {
    const { reply, appended } = await appendedBy(() => api.post('/workflows', legacyWorkflow('bad_key'), { 'idempotency-key': key }));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['/headers/idempotency-key']);
    expect(appended).toBe(0);
  });
});
