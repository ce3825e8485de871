import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions, formatPosition, parsePosition } from '@iwf/contracts';
import { after, apiClient, bodyOf, pointersOf, positionOf, type ApiClient, type Reply } from './testing/http.js';
import { startTestSystem, type TestSystem } from './testing/system.js';
import { legacyWorkflow, type Json } from './testing/workflows.js';

const DEFAULT_WAIT_MS = 3_000;

let system: TestSystem;
/** A tenant holding exactly the catalog below, so lists are predictable. */
let catalog: ApiClient;
/** A tenant for tests that write. */
let scratch: ApiClient;
let lastWrite: Reply;

const event = (name: string): Json => ({ type: 'event', event: name });
// Created in this order; ids sort like the creation order, so newest first is the reverse.
const CATALOG: [string, Json][] = [
  ['wf_00', { trigger: event('order.created'), tags: ['sales'] }],
  ['wf_01', { trigger: event('order.*'), tags: ['sales', 'eu'] }],
  ['wf_02', { trigger: event('invoice.paid'), tags: ['billing'], enabled: false }],
  ['wf_03', { trigger: event('orders.created') }],
  ['wf_04', { trigger: { type: 'schedule', cron: '0 */6 * * *' }, tags: ['sales'] }],
  ['wf_05', { trigger: { type: 'manual' }, enabled: false }],
  ['wf_06', { trigger: event('order.created.v2'), name: 'Fraud screening', tags: ['risk'] }],
  ['wf_07', { trigger: event('*'), description: 'Audits every FRAUD signal' }],
  ['wf_08', { trigger: event('coupon.applied'), name: 'Discount 100% check', tags: ['sales'] }],
  ['wf_09', { trigger: event('coupon.applied'), name: 'Discount 1000 check', enabled: false }],
  ['wf_10', { trigger: event('order.created'), tags: ['eu'] }],
  ['wf_11', { trigger: event('cart.*'), tags: ['eu'] }],
];
const ALL_NEWEST_FIRST = CATALOG.map(([id]) => id).reverse();

beforeAll(async () => {
  system = await startTestSystem('wf_queries', { env: { MIN_POSITION_WAIT_MS: String(DEFAULT_WAIT_MS) } });
  catalog = apiClient(system.app, await system.tokenFor('catalog', ['workflow_viewer', 'workflow_manager']));
  scratch = apiClient(system.app, await system.tokenFor('scratch'));
  for (const [id, extra] of CATALOG) {
    lastWrite = await catalog.post('/workflows', legacyWorkflow(id, extra));
    expect(lastWrite.statusCode, lastWrite.body).toBe(201);
  }
});

afterAll(async () => {
  await system?.close();
});

const idsOf = (reply: Reply): unknown[] => {
  expect(reply.statusCode, reply.body).toBe(200);
  return bodyOf(reply).items?.map((item) => item['workflow_id']) ?? [];
};
const list = (query: string): Promise<Reply> => catalog.get(`/workflows${query}`, after(lastWrite));
/** A position no log will reach while the test runs. */
const FAR_FUTURE = formatPosition({ commit: 10n ** 15n, prepare: 10n ** 15n });

function expectBadRequest(reply: Reply, pointers: string[]): void {
  expect(reply.statusCode, reply.body).toBe(400);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(pointersOf(reply)).toEqual(pointers);
}

describe('GET /workflows filters', () => {
  it('lists every live workflow of the tenant, newest first, with summaries', async () => {
    const reply = await list('');
    expect(idsOf(reply)).toEqual(ALL_NEWEST_FIRST);
    expect(bodyOf(reply)['next_cursor']).toBeNull();
    expect(bodyOf(reply).items?.[0]).toMatchObject({ workflow_id: 'wf_11', enabled: true, archived: false, revision: 0, tags: ['eu'] });
  });

  it.each([
    ['enabled=true', ALL_NEWEST_FIRST.filter((id) => !['wf_02', 'wf_05', 'wf_09'].includes(id))],
    ['enabled=false', ['wf_09', 'wf_05', 'wf_02']],
    ['tag=sales', ['wf_08', 'wf_04', 'wf_01', 'wf_00']],
    ['tag=eu&enabled=true', ['wf_11', 'wf_10', 'wf_01']],
    ['tag=nothing', []],
  ])('filters with %s', async (query, expected) => {
    expect(idsOf(await list(`?${query}`))).toEqual(expected);
  });

  it.each([
    // Exact names, `prefix.*` patterns that match, and `*` (every event); never schedules or manual triggers.
    ['order.created', ['wf_10', 'wf_07', 'wf_01', 'wf_00']],
    ['order.shipped', ['wf_07', 'wf_01']],
    ['order.created.v2', ['wf_07', 'wf_06', 'wf_01']],
    ['orders.created', ['wf_07', 'wf_03']],
    ['cart.checkout.started', ['wf_11', 'wf_07']],
    ['invoice.paid', ['wf_07', 'wf_02']],
  ])('finds the workflows the event %s triggers', async (eventType, expected) => {
    expect(idsOf(await list(`?trigger_event=${encodeURIComponent(eventType)}`))).toEqual(expected);
  });

  it.each([
    ['fraud', ['wf_07', 'wf_06']],
    ['DISCOUNT', ['wf_09', 'wf_08']],
    ['100%', ['wf_08']],
    ['1_0', []],
  ])('searches name and description, case-insensitively and literally, with q=%s', async (q, expected) => {
    expect(idsOf(await list(`?q=${encodeURIComponent(q)}`))).toEqual(expected);
  });

  it('rejects a malformed filter value (400)', async () => {
    expectBadRequest(await list('?enabled=maybe'), ['/querystring/enabled']);
  });

  it('rejects an unknown query parameter (400) instead of ignoring it', async () => {
    expectBadRequest(await list('?status=enabled'), ['/querystring/status']);
    expectBadRequest(await catalog.get('/workflows/wf_00?verbose=true'), ['/querystring/verbose']);
  });
});

describe('GET /workflows pagination', () => {
  async function walk(query: string): Promise<{ ids: unknown[]; pages: number }> {
    const ids: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply = await list(`?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      const page = idsOf(reply);
      expect(page.length).toBeLessThanOrEqual(5);
      ids.push(...page);
      cursor = bodyOf(reply)['next_cursor'] as string | null;
      pages += 1;
      expect(pages).toBeLessThan(10);
    } while (cursor !== null);
    return { ids, pages };
  }

  it('walks every page newest first, without duplicates or gaps', async () => {
    const { ids, pages } = await walk('limit=5');
    expect(ids).toEqual(ALL_NEWEST_FIRST);
    expect(pages).toBe(3);
  });

  it('walks every page oldest first with order=asc', async () => {
    const { ids } = await walk('limit=5&order=asc');
    expect(ids).toEqual([...ALL_NEWEST_FIRST].reverse());
  });

  it('keeps filters across pages', async () => {
    const { ids } = await walk('limit=2&tag=sales');
    expect(ids).toEqual(['wf_08', 'wf_04', 'wf_01', 'wf_00']);
  });

  it('gives no cursor when the last page is exactly full', async () => {
    const reply = await list('?limit=12');
    expect(idsOf(reply)).toHaveLength(12);
    expect(bodyOf(reply)['next_cursor']).toBeNull();
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['an object', Buffer.from('{}').toString('base64url')],
    ['a bad timestamp', Buffer.from('["yesterday","wf_01"]').toString('base64url')],
    ['a key of the wrong length', Buffer.from('["2024-01-01T00:00:00.000Z","wf_01","extra"]').toString('base64url')],
    // JavaScript reads these as times; PostgreSQL refused them, once as a 500.
    ['a day that does not exist', Buffer.from('["2023-02-30T00:00:00.000Z","wf_01"]').toString('base64url')],
    ['the hour 24', Buffer.from('["2024-01-01T24:00:00.000Z","wf_01"]').toString('base64url')],
    ['the year 0', Buffer.from('["0000-01-01T00:00:00.000Z","wf_01"]').toString('base64url')],
    ['an id with a NUL', Buffer.from('["2024-01-01T00:00:00.000Z","wf\\u0000"]').toString('base64url')],
  ])('answers 400 to an invalid cursor (%s)', async (_name, cursor) => {
    const reply = await list(`?cursor=${encodeURIComponent(cursor)}`);
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(pointersOf(reply)).toHaveLength(1);
  });

  it('points at /querystring/cursor for an invalid cursor, like every other query parameter', async () => {
    expectBadRequest(await list('?cursor=garbage'), ['/querystring/cursor']);
  });

  it.each(['0', '501', '-1', 'ten'])('answers 400 to limit=%s', async (limit) => {
    expectBadRequest(await list(`?limit=${limit}`), ['/querystring/limit']);
  });

  it('accepts the bounds limit=1 and limit=500', async () => {
    expect(idsOf(await list('?limit=1'))).toEqual(['wf_11']);
    expect(idsOf(await list('?limit=500'))).toHaveLength(12);
  });

  it('pages the versions of a workflow too', async () => {
    const created = await scratch.post('/workflows', legacyWorkflow('versioned'));
    const published = await scratch.put('/workflows/versioned', legacyWorkflow('versioned', { version: '2.0.0' }));
    expect(published.statusCode, published.body).toBe(200);
    const first = await scratch.get('/workflows/versioned/versions?limit=1', after(published));
    expect(bodyOf(first).items?.map((item) => item['definition_revision'])).toEqual([2]);
    const cursor = String(bodyOf(first)['next_cursor']);
    const second = await scratch.get(`/workflows/versioned/versions?limit=1&cursor=${encodeURIComponent(cursor)}`);
    expect(bodyOf(second).items?.map((item) => item['definition_revision'])).toEqual([1]);
    expect(bodyOf(second)['next_cursor']).toBeNull();
    const ascending = await scratch.get('/workflows/versioned/versions?order=asc', after(created));
    expect(bodyOf(ascending).items?.map((item) => item['definition_revision'])).toEqual([1, 2]);
    // A cursor does not make a workflow exist: another id's page past it is a 404, not an empty page.
    expect((await scratch.get(`/workflows/no_such_workflow/versions?cursor=${encodeURIComponent(cursor)}`)).statusCode).toBe(404);
  });
});

describe('the read shape', () => {
  it('always has definition.context and definition.timeout: {} and null when the submission left them out, else as submitted', async () => {
    const bare = await scratch.post('/workflows', legacyWorkflow('shape_bare'));
    const full = await scratch.post('/workflows', legacyWorkflow('shape_full', { context: { load: ['customer.profile'] }, timeout: '10m' }));
    expect([bare.statusCode, full.statusCode]).toEqual([201, 201]);
    const definitions = async (id: string): Promise<unknown[]> => {
      const reads = [
        await scratch.get(`/workflows/${id}`, after(full)),
        await scratch.get(`/workflows/${id}`), // cached by now
        await scratch.get(`/workflows?q=${id}`),
        await scratch.get(`/workflows/${id}/versions`),
        await scratch.get(`/workflows/${id}/versions/1`),
      ];
      return reads.map((reply) => {
        const body = bodyOf(reply);
        return (body.items ? body.items[0]! : body)['definition'];
      });
    };
    for (const definition of await definitions('shape_bare')) {
      expect(Object.keys(definition as object)).toEqual(['trigger', 'context', 'timeout', 'steps']);
      expect(definition).toMatchObject({ context: {}, timeout: null });
    }
    for (const definition of await definitions('shape_full')) expect(definition).toMatchObject({ context: { load: ['customer.profile'] }, timeout: '10m' });
  });
});

describe('read-your-writes', () => {
  it('reports X-Log-Position on every read, at least the position it waited for', async () => {
    const min = parsePosition(positionOf(lastWrite));
    for (const path of ['/workflows', '/workflows/wf_00', '/workflows/wf_00/versions', '/workflows/wf_00/versions/1', '/workflows/absent']) {
      const reply = await catalog.get(path, after(lastWrite));
      const header = reply.headers['x-log-position'];
      expect(typeof header, path).toBe('string');
      const reached = parsePosition(String(header));
      expect(reached, path).toBeDefined();
      expect(comparePositions(reached!, min!), path).toBeGreaterThanOrEqual(0);
    }
  });

  it('sees a write at once when the read names its position, in the header or the query', async () => {
    const created = await scratch.post('/workflows', legacyWorkflow('fresh'));
    const disabled = await scratch.post('/workflows/fresh/disable');
    expect(bodyOf(await scratch.get('/workflows/fresh', after(disabled)))).toMatchObject({ enabled: false, revision: 1 });
    const enabled = await scratch.post('/workflows/fresh/enable');
    const viaQuery = await scratch.get(`/workflows/fresh?min_position=${positionOf(enabled)}`);
    expect(viaQuery.statusCode, viaQuery.body).toBe(200);
    expect(bodyOf(viaQuery)).toMatchObject({ enabled: true, revision: 2 });
    const listed = await scratch.get(`/workflows?min_position=${positionOf(created)}`);
    expect(idsOf(listed)).toContain('fresh');
  });

  it('answers ETag "<revision>" on a workflow read', async () => {
    const created = await scratch.post('/workflows', legacyWorkflow('tagged'));
    expect((await scratch.get('/workflows/tagged', after(created))).headers['etag']).toBe('"0"');
    const archived = await scratch.delete('/workflows/tagged');
    const reply = await scratch.get('/workflows/tagged', after(archived));
    expect(reply.headers['etag']).toBe('"1"');
    expect(bodyOf(reply)['revision']).toBe(1);
  });

  it('counts the executions of a workflow by status on its read', async () => {
    await scratch.post('/workflows', legacyWorkflow('counted', { trigger: { type: 'event', event: 'counted.happened' } }));
    const fresh = await scratch.get('/workflows/counted', after(await scratch.post('/workflows/counted/enable')));
    expect(bodyOf(fresh)['execution_counts']).toMatchObject({ total: 0, completed: 0, running: 0 });
    const ingested = await scratch.post('/events?wait=true', { event_type: 'counted.happened', payload: {} });
    expect(ingested.statusCode, ingested.body).toBe(202);
    const reply = await scratch.get('/workflows/counted', after(ingested));
    expect(bodyOf(reply)['execution_counts']).toMatchObject({ total: 1, completed: 1, failed: 0 });
  });

  it('answers 503 projection-behind with Retry-After when the position is not reached within X-Max-Wait-Ms', async () => {
    const started = performance.now();
    const reply = await catalog.get('/workflows/wf_00', { 'x-min-position': FAR_FUTURE, 'x-max-wait-ms': '250' });
    const elapsed = performance.now() - started;
    expect(reply.statusCode, reply.body).toBe(503);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/\/projection-behind$/), title: expect.any(String), status: 503 });
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(DEFAULT_WAIT_MS);
  });

  it('waits MIN_POSITION_WAIT_MS by default, and honours ?min_position= like the header', async () => {
    const started = performance.now();
    const reply = await catalog.get(`/workflows?min_position=${FAR_FUTURE}`);
    const elapsed = performance.now() - started;
    expect(reply.statusCode, reply.body).toBe(503);
    expect(bodyOf(reply)['type']).toMatch(/\/projection-behind$/);
    expect(reply.headers['retry-after']).toBeDefined();
    expect(elapsed).toBeGreaterThanOrEqual(DEFAULT_WAIT_MS - 10);
    expect(elapsed).toBeLessThan(DEFAULT_WAIT_MS + 2_000);
  });

  it('takes the header over the query parameter', async () => {
    const reply = await catalog.get(`/workflows/wf_00?min_position=${FAR_FUTURE}`, after(lastWrite));
    expect(reply.statusCode, reply.body).toBe(200);
  });

  it.each(['not-a-position', '12', 'ZZ-1', `${'1'.repeat(14)}-1`])('answers 400 to the malformed position %s, as header or query', async (position) => {
    expectBadRequest(await catalog.get('/workflows/wf_00', { 'x-min-position': position }), ['/headers/x-min-position']);
    expectBadRequest(await catalog.get(`/workflows/wf_00?min_position=${encodeURIComponent(position)}`), ['/querystring/min_position']);
  });

  it('answers 400 to a malformed X-Max-Wait-Ms, with or without a position to wait for', async () => {
    expectBadRequest(await catalog.get('/workflows', { 'x-min-position': positionOf(lastWrite), 'x-max-wait-ms': 'soon' }), ['/headers/x-max-wait-ms']);
    expectBadRequest(await catalog.get('/workflows', { 'x-max-wait-ms': 'soon' }), ['/headers/x-max-wait-ms']);
  });

  it('answers 400 to a malformed min_position in the query even when the header holds a good one', async () => {
    expectBadRequest(await catalog.get('/workflows/wf_00?min_position=nope', { 'x-min-position': positionOf(lastWrite) }), ['/querystring/min_position']);
  });
});
