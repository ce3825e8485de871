import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '@iwf/contracts';
import { after, apiClient, bodyOf, pointersOf, positionOf, type ApiClient, type Reply } from './testing/http.js';
import { startTestSystem, type TestSystem } from './testing/system.js';
import { allowStep, canonicalWorkflow, legacyFixtures, legacyWorkflow, type Json } from './testing/workflows.js';

let system: TestSystem;
let api: ApiClient;

beforeAll(async () => {
  system = await startTestSystem('wf_commands');
  api = apiClient(system.app, await system.tokenFor('acme'));
});

afterAll(async () => {
  await system?.close();
});

/** Runs a request that must be rejected and checks it appended nothing to the log. */
async function rejected(request: () => Promise<Reply>): Promise<Reply> {
  const before = await system.eventCount();
  const reply = await request();
  expect(reply.statusCode, reply.body).toBeGreaterThanOrEqual(400);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await system.eventCount()).toBe(before);
  return reply;
}

function expectWriteAnswer(reply: Reply, status: number, workflowId: string, revision: number): void {
  expect(reply.statusCode, reply.body).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  const body = bodyOf(reply);
  expect(body).toEqual({ workflow_id: workflowId, revision, position: expect.stringMatching(/^[0-9a-z]+-[0-9a-z]+$/) });
  expect(reply.headers['x-log-position']).toBe(body['position']);
}

const problemType = (reply: Reply): string => String(bodyOf(reply)['type']);

describe('POST /workflows', () => {
  it('creates a workflow from the canonical shape and reads it back at the answered position', async () => {
    const document = canonicalWorkflow('canonical_one', { description: 'Canonical', tags: ['sales', 'eu'], enabled: false }, {
      context: { load: ['customer.profile'] },
      timeout: '5m',
    });
    const created = await api.post('/workflows', document);
    expectWriteAnswer(created, 201, 'canonical_one', 0);

    const read = await api.get('/workflows/canonical_one', after(created));
    expect(read.statusCode, read.body).toBe(200);
    expect(bodyOf(read)).toMatchObject({
      workflow_id: 'canonical_one',
      name: 'Workflow canonical_one',
      version: '1.0.0',
      description: 'Canonical',
      tags: ['sales', 'eu'],
      enabled: false,
      archived: false,
      revision: 0,
      definition: document['definition'],
      metadata: {},
    });
  });

  it('creates a workflow from the legacy shape, enabled by default, keeping unknown top-level keys as metadata', async () => {
    const created = await api.post('/workflows', legacyWorkflow('legacy_one', { owner: 'ops-team' }));
    expectWriteAnswer(created, 201, 'legacy_one', 0);

    const read = await api.get('/workflows/legacy_one', after(created));
    expect(bodyOf(read)).toMatchObject({
      workflow_id: 'legacy_one',
      description: null,
      tags: [],
      enabled: true,
      definition: { trigger: { type: 'event', event: 'order.created' }, steps: [allowStep('allow')] },
      metadata: { owner: 'ops-team' },
    });
    expect(bodyOf(read)['definition']).not.toHaveProperty('workflow_id');
  });

  const fixtures = legacyFixtures();

  it('has the seven legacy fixtures to import', () => {
    expect(fixtures).toHaveLength(7);
  });

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('imports %s unchanged', async (_file, { text, document }) => {
    const created = await api.send('POST', '/workflows', { payload: text, headers: { 'content-type': 'application/json' } });
    expectWriteAnswer(created, 201, String(document['workflow_id']), 0);

    const read = await api.get(`/workflows/${String(document['workflow_id'])}`, after(created));
    expect(read.statusCode, read.body).toBe(200);
    const view = bodyOf(read);
    // As submitted; a read always has context and timeout ({} and null when left out).
    expect(view['definition']).toEqual({ context: {}, timeout: null, ...Object.fromEntries(['trigger', 'steps', 'context', 'timeout'].filter((key) => key in document).map((key) => [key, document[key]])) });
    expect(view).toMatchObject({
      name: document['name'],
      version: document['version'],
      description: document['description'],
      tags: document['tags'],
      enabled: document['enabled'],
      archived: false,
      metadata: {},
    });
  });
});

describe('invalid definitions', () => {
  const condition = (extra: Json): Json => ({
    id: 'check',
    type: 'condition',
    condition: { field: 'order.total', operator: 'gte', value: 100 },
    on_true: 'yes',
    on_false: 'no',
    ...extra,
  });
  const branches = [allowStep('yes'), allowStep('no')];
  const cases: [string, Json, string[]][] = [
    ['a dangling next (legacy)', legacyWorkflow('bad', { steps: [allowStep('a', { next: 'b' }), allowStep('b', { next: 'nowhere' })] }), ['/steps/1/next']],
    ['a dangling next (canonical)', canonicalWorkflow('bad', {}, { steps: [allowStep('a', { next: 'nowhere' })] }), ['/definition/steps/0/next']],
    ['a cycle', legacyWorkflow('bad', { steps: [allowStep('a', { next: 'b' }), allowStep('b', { next: 'c' }), allowStep('c', { next: 'a' })] }), ['/steps/2/next']],
    ['an unknown operator', legacyWorkflow('bad', { steps: [condition({ condition: { field: 'x', operator: 'roughly', value: 1 } }), ...branches] }), ['/steps/0/condition/operator']],
    ['a misspelt step key', legacyWorkflow('bad', { steps: [condition({ on_true: undefined, on_ture: 'yes' }), ...branches] }), ['/steps/0/on_ture']],
  ];

  it.each(cases)('rejects %s with a 400 pointing at it, appending nothing', async (_name, document, pointers) => {
    const reply = await rejected(() => api.post('/workflows', document));
    expect(reply.statusCode).toBe(400);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/invalid-workflow$/), title: expect.any(String), status: 400 });
    expect(pointersOf(reply)).toEqual(pointers);
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"order_approval"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('rejects %s as the body with a 400 pointing at the whole document', async (_name, payload) => {
    const reply = await rejected(() => api.send('POST', '/workflows', { payload, headers: { 'content-type': 'application/json' } }));
    expect(reply.statusCode).toBe(400);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/invalid-(request|workflow)$/), status: 400 });
    expect(pointersOf(reply)).toEqual(['']);
  });

  it('rejects malformed JSON with a 400 pointing at the whole document', async () => {
    const reply = await rejected(() => api.send('POST', '/workflows', { payload: '{"workflow_id": "x",', headers: { 'content-type': 'application/json' } }));
    expect(reply.statusCode).toBe(400);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/invalid-request$/), title: expect.any(String), status: 400 });
    expect(pointersOf(reply)).toEqual(['']);
  });

  it('rejects a missing workflow_id, pointing at it', async () => {
    const { workflow_id: _omitted, ...document } = legacyWorkflow('x');
    const reply = await rejected(() => api.post('/workflows', document));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toContain('/workflow_id');
  });
});

describe('duplicates', () => {
  it('answers 409 to a second create of the same workflow_id, in either shape, appending nothing', async () => {
    expectWriteAnswer(await api.post('/workflows', legacyWorkflow('dup')), 201, 'dup', 0);
    for (const document of [legacyWorkflow('dup'), canonicalWorkflow('dup', { name: 'Another' })]) {
      const reply = await rejected(() => api.post('/workflows', document));
      expect(reply.statusCode).toBe(409);
      expect(problemType(reply)).toMatch(/workflow-exists$/);
    }
  });
});

describe('PUT /workflows/{id}', () => {
  const v2Steps = [allowStep('first', { next: 'second' }), allowStep('second')];

  it('publishes a new definition: the revision grows and both versions are kept, newest first', async () => {
    const created = await api.post('/workflows', legacyWorkflow('publish_me'));
    const updated = await api.put('/workflows/publish_me', legacyWorkflow('publish_me', { version: '2.0.0', name: 'Second', steps: v2Steps }));
    expectWriteAnswer(updated, 200, 'publish_me', 1);
    expect(positionOf(updated)).not.toBe(positionOf(created));

    const read = await api.get('/workflows/publish_me', after(updated));
    expect(bodyOf(read)).toMatchObject({ revision: 1, definition_revision: 2, version: '2.0.0', name: 'Second', definition: { steps: v2Steps } });

    const versions = await api.get('/workflows/publish_me/versions', after(updated));
    expect(versions.statusCode, versions.body).toBe(200);
    expect(bodyOf(versions).items?.map((item) => [item['definition_revision'], item['version']])).toEqual([
      [2, '2.0.0'],
      [1, '1.0.0'],
    ]);
    expect(bodyOf(versions)['next_cursor']).toBeNull();

    const first = await api.get('/workflows/publish_me/versions/1', after(updated));
    expect(first.statusCode, first.body).toBe(200);
    expect(bodyOf(first)).toMatchObject({ definition_revision: 1, version: '1.0.0', definition: { steps: [allowStep('allow')] } });
    expect(first.headers['etag']).toBe('"d1"');
    const second = await api.get('/workflows/publish_me/versions/2', after(updated));
    expect(bodyOf(second)).toMatchObject({ definition_revision: 2, version: '2.0.0', name: 'Second', definition: { steps: v2Steps } });
    expect(second.headers['etag']).toBe('"d2"');
    // A version's ETag cannot pass for the workflow's revision in If-Match.
    const pinned = await api.post('/workflows/publish_me/disable', undefined, { 'if-match': String(second.headers['etag']) });
    expect(pinned.statusCode).toBe(400);
    expect(pointersOf(pinned)).toEqual(['/headers/if-match']);
    expect((await api.get('/workflows/publish_me/versions/3', after(updated))).statusCode).toBe(404);
  });

  it('takes the canonical shape, and a body without workflow_id names the workflow of the URL', async () => {
    await api.post('/workflows', legacyWorkflow('publish_shapes'));
    const { workflow_id: _omitted, ...document } = canonicalWorkflow('publish_shapes', { version: '1.1.0' });
    expectWriteAnswer(await api.put('/workflows/publish_shapes', document), 200, 'publish_shapes', 1);
  });

  it('appends nothing when the definition is exactly the current one', async () => {
    const created = await api.post('/workflows', legacyWorkflow('same_again'));
    const before = await system.eventCount();
    const again = await api.put('/workflows/same_again', legacyWorkflow('same_again'));
    expectWriteAnswer(again, 200, 'same_again', 0);
    expect(positionOf(again)).toBe(positionOf(created));
    expect(await system.eventCount()).toBe(before);
  });

  it('rejects a body naming another workflow (400, appending nothing)', async () => {
    await api.post('/workflows', legacyWorkflow('url_named'));
    const reply = await rejected(() => api.put('/workflows/url_named', legacyWorkflow('body_named')));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['/workflow_id']);
  });

  it('rejects an invalid new definition with its pointer, appending nothing', async () => {
    await api.post('/workflows', legacyWorkflow('bad_update'));
    const reply = await rejected(() => api.put('/workflows/bad_update', legacyWorkflow('bad_update', { steps: [allowStep('a', { next: 'gone' })] })));
    expect(reply.statusCode).toBe(400);
    expect(pointersOf(reply)).toEqual(['/steps/0/next']);
  });
});

describe('enable, disable, archive', () => {
  it('toggles triggering; repeating a toggle appends nothing', async () => {
    await api.post('/workflows', legacyWorkflow('toggled'));
    const disabled = await api.post('/workflows/toggled/disable');
    expectWriteAnswer(disabled, 200, 'toggled', 1);
    expect(bodyOf(await api.get('/workflows/toggled', after(disabled)))).toMatchObject({ enabled: false, revision: 1 });

    let before = await system.eventCount();
    const disabledAgain = await api.post('/workflows/toggled/disable');
    expectWriteAnswer(disabledAgain, 200, 'toggled', 1);
    expect(positionOf(disabledAgain)).toBe(positionOf(disabled));
    expect(await system.eventCount()).toBe(before);

    const enabled = await api.post('/workflows/toggled/enable');
    expectWriteAnswer(enabled, 200, 'toggled', 2);
    expect(bodyOf(await api.get('/workflows/toggled', after(enabled)))).toMatchObject({ enabled: true, revision: 2 });

    before = await system.eventCount();
    expectWriteAnswer(await api.post('/workflows/toggled/enable'), 200, 'toggled', 2);
    expect(await system.eventCount()).toBe(before);
  });

  it('archives with DELETE: the workflow stays readable, leaves the default list, and refuses further changes (422)', async () => {
    await api.post('/workflows', legacyWorkflow('archived_one'));
    const archived = await api.delete('/workflows/archived_one');
    expectWriteAnswer(archived, 200, 'archived_one', 1);

    const read = await api.get('/workflows/archived_one', after(archived));
    expect(bodyOf(read)).toMatchObject({ archived: true, revision: 1 });
    const live = await api.get('/workflows?limit=500', after(archived));
    expect(bodyOf(live).items?.map((item) => item['workflow_id'])).not.toContain('archived_one');
    const archivedList = await api.get('/workflows?archived=true', after(archived));
    expect(bodyOf(archivedList).items?.map((item) => item['workflow_id'])).toContain('archived_one');

    const attempts: [string, () => Promise<Reply>][] = [
      ['publish', () => api.put('/workflows/archived_one', legacyWorkflow('archived_one', { version: '2' }))],
      ['enable', () => api.post('/workflows/archived_one/enable')],
      ['disable', () => api.post('/workflows/archived_one/disable')],
      ['archive again', () => api.delete('/workflows/archived_one')],
    ];
    for (const [name, attempt] of attempts) {
      const reply = await rejected(attempt);
      expect(reply.statusCode, name).toBe(422);
      expect(problemType(reply), name).toMatch(/workflow-archived$/);
    }
    const duplicate = await rejected(() => api.post('/workflows', legacyWorkflow('archived_one')));
    expect(duplicate.statusCode).toBe(409);
  });
});

describe('unknown workflows', () => {
  const commands: [string, () => Promise<Reply>][] = [
    ['PUT', () => api.put('/workflows/never_created', legacyWorkflow('never_created'))],
    ['enable', () => api.post('/workflows/never_created/enable')],
    ['disable', () => api.post('/workflows/never_created/disable')],
    ['DELETE', () => api.delete('/workflows/never_created')],
    ['DELETE with an id no workflow can have', () => api.delete('/workflows/not%20an%20id!')],
  ];

  it.each(commands)('%s answers 404 problem and appends nothing', async (_name, command) => {
    const reply = await rejected(command);
    expect(reply.statusCode).toBe(404);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/not-found$/), title: 'Not found', status: 404 });
  });

  it.each(['/workflows/never_created', '/workflows/never_created/versions', '/workflows/never_created/versions/1'])('GET %s answers 404', async (path) => {
    const reply = await api.get(path);
    expect(reply.statusCode).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('request ids', () => {
  const metadataOf = async (workflowId: string, created: Reply): Promise<Record<string, unknown>> => {
    const view = bodyOf(await api.get(`/audit/streams/${streamId('workflow', system.tenant('acme'), workflowId)}`, after(created)));
    return (view['events'] as { metadata: Record<string, unknown> }[])[0]!.metadata;
  };

  it("takes a client's X-Request-Id of the documented shape: in the answer and as its events' causation", async () => {
    const created = await api.post('/workflows', legacyWorkflow('request_id_kept'), { 'x-request-id': 'req-2026.11:a_b' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['x-request-id']).toBe('req-2026.11:a_b');
    expect(await metadataOf('request_id_kept', created)).toMatchObject({ causation_id: 'req-2026.11:a_b', correlation_id: 'req-2026.11:a_b' });
  });

  it.each([
    ['spaces', 'two words'],
    ['more than 128 characters', 'r'.repeat(129)],
    ['a control character', 'req\u0007id'],
  ])('replaces an X-Request-Id with %s by a fresh UUID, everywhere it would have gone', async (_name, header) => {
    const id = `request_id_${randomUUID().slice(0, 8)}`;
    const created = await api.post('/workflows', legacyWorkflow(id), { 'x-request-id': header });
    expect(created.statusCode, created.body).toBe(201);
    const given = String(created.headers['x-request-id']);
    expect(given).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await metadataOf(id, created)).toMatchObject({ causation_id: given, correlation_id: given });
  });
});
