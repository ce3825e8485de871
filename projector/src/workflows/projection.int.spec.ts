import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@iwf/contracts';
import { DomainError, streamId } from '@iwf/contracts';
import { cacheKey } from '@iwf/platform/cache/cache';
import { migrateDown, migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { getWorkflow, getWorkflowVersion, listWorkflowVersions, listWorkflows } from '@iwf/query-service/workflows/read-model';
import { readModelMigrations } from '../read-models.js';
import type { CacheUpdate } from '../runner/projection.js';
import { workflowsProjection } from './projection.js';
import { archived, created, definition, disabled, published, recordAll } from './testing/workflow-events.js';
import { withTransaction } from '@iwf/platform/db/transaction';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('wf_projection');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrateUp(pool, readModelMigrations);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const apply = (events: readonly RecordedEvent[]): Promise<CacheUpdate[]> => withTransaction(pool, (client) => workflowsProjection.apply(client, events));

const dump = async (): Promise<unknown[]> =>
  (await pool.query<Record<string, unknown>>('SELECT * FROM iwf_read.workflows w FULL JOIN iwf_read.workflow_versions v USING (tenant, workflow_id) ORDER BY 1, 2, v.definition_revision')).rows;

describe('workflows projection', () => {
  const tenant = 'acme';
  const events = [
    created('orders', '2024-05-01T08:00:00Z', { name: 'Orders', tags: ['sales'], extra: { team: 'ops' } }),
    published('orders', '2024-05-02T08:00:00Z', { name: 'Orders v2', version: '2.0.0', tags: ['sales', 'eu'], definition: definition('order.*') }),
    disabled('orders', '2024-05-03T08:00:00Z'),
  ];
  const history = recordAll(tenant, 'orders', events);

  it('builds the views the query API returns, and caches exactly those', async () => {
    const updates = await apply(history);
    const view = await getWorkflow(pool, tenant, 'orders');
    expect(view).toEqual({
      workflow_id: 'orders',
      name: 'Orders v2',
      version: '2.0.0',
      description: 'About orders',
      tags: ['sales', 'eu'],
      enabled: false,
      archived: false,
      definition_revision: 2,
      revision: 2,
      definition: definition('order.*'),
      metadata: {},
      created_at: '2024-05-01T08:00:00.000Z',
      updated_at: '2024-05-03T08:00:00.000Z',
    });
    expect(updates).toEqual([{ key: cacheKey(tenant, 'workflow', 'orders'), revision: 2, value: view }]);
    expect(await getWorkflowVersion(pool, tenant, 'orders', 1)).toMatchObject({ name: 'Orders', version: '1.0.0', tags: ['sales'] });
    const versions = await listWorkflowVersions(pool, tenant, 'orders', { limit: 1 });
    expect(versions.items.map((v) => v.definition_revision)).toEqual([2]);
    const older = await listWorkflowVersions(pool, tenant, 'orders', { limit: 1, cursor: versions.next_cursor! });
    expect(older).toMatchObject({ items: [{ definition_revision: 1, published_at: '2024-05-01T08:00:00.000Z' }], next_cursor: null });
  });

  it('changes nothing when a batch is applied again, whole or in part', async () => {
    const before = await dump();
    expect(await apply(history)).toEqual([]);
    expect(await apply(history.slice(1))).toEqual([]);
    expect(await dump()).toEqual(before);
  });

  it('applies the events of a batch after the ones the rows already reflect', async () => {
    const more = recordAll(tenant, 'orders', [...events, archived('orders', '2024-05-04T08:00:00Z')]);
    const updates = await apply(more.slice(1));
    expect(updates).toMatchObject([{ revision: 3, value: { archived: true, updated_at: '2024-05-04T08:00:00.000Z' } }]);
  });

  it('ignores events of other streams and fails loudly, naming the event, on one it cannot apply', async () => {
    const other = { ...history[0]!, stream_id: streamId('execution', tenant, 'e1') };
    expect(await apply([other])).toEqual([]);
    const orphan = recordAll(tenant, 'ghost', [disabled('ghost', '2024-05-03T08:00:00Z')]);
    await expect(apply(orphan)).rejects.toThrow(/WorkflowDisabled workflow:acme:ghost@0 .*before it was created/);
    const mislabelled = { ...history[0]!, stream_id: streamId('workflow', tenant, 'other') };
    await expect(apply([mislabelled])).rejects.toThrow(/names workflow orders, its stream other/);
  });

  it('migrates down and up again', async () => {
    const other = await createTestDatabase('wf_migrations');
    const otherPool = new pg.Pool({ connectionString: other.url, max: 2 });
    try {
      const versions = readModelMigrations.migrations.map((migration) => migration.version).sort((a, b) => a - b);
      await migrateUp(otherPool, readModelMigrations);
      expect(await migrateDown(otherPool, readModelMigrations)).toEqual([...versions].reverse());
      const left = await otherPool.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'iwf_read' AND tablename <> 'schema_migrations'");
      expect(left.rows[0].n).toBe(0);
      expect(await migrateUp(otherPool, readModelMigrations)).toEqual(versions);
    } finally {
      await otherPool.end();
      await other.drop();
    }
  });
});

describe('workflow lists', () => {
  const tenant = 'lists';
  const day = (n: number): string => `2024-06-${String(n).padStart(2, '0')}T00:00:00Z`;

  beforeAll(async () => {
    const events: RecordedEvent[] = [];
    const add = (id: string, evts: Parameters<typeof recordAll>[2]): void => void events.push(...recordAll(tenant, id, evts, BigInt(events.length + 100)));
    add('a', [created('a', day(1), { tags: ['x'], name: 'Alpha 100%', definition: definition('order.created') })]);
    add('b', [created('b', day(2), { tags: ['x', 'y'], name: 'Beta', description: 'ships orders', definition: definition('order.*') })]);
    add('c', [created('c', day(3), { enabled: false, name: 'Gamma', description: null, definition: definition('invoice.paid') })]);
    add('d', [created('d', day(3), { name: 'Delta_1', definition: definition('*') }), archived('d', day(4))]);
    add('e', [created('e', day(5), { name: 'Epsilon', definition: { trigger: { type: 'manual' }, steps: definition().steps } })]);
    events.push(...recordAll('someone-else', 'a', [created('a', day(9))], 1000n));
    await apply(events);
  });

  const ids = async (filter: Partial<Parameters<typeof listWorkflows>[2]>): Promise<string[]> =>
    (await listWorkflows(pool, tenant, { limit: 50, ...filter })).items.map((item) => item.workflow_id);

  it('lists newest first by default, oldest first on request, within the tenant', async () => {
    expect(await ids({})).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await ids({ order: 'asc' })).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('filters by enabled, archived, tag, trigger event (patterns included) and text', async () => {
    expect(await ids({ enabled: false })).toEqual(['c']);
    expect(await ids({ archived: false })).toEqual(['e', 'c', 'b', 'a']);
    expect(await ids({ tag: 'x' })).toEqual(['b', 'a']);
    expect(await ids({ tag: 'y', enabled: true })).toEqual(['b']);
    expect(await ids({ trigger_event: 'order.created' })).toEqual(['d', 'b', 'a']);
    expect(await ids({ trigger_event: 'invoice.paid' })).toEqual(['d', 'c']);
    expect(await ids({ q: 'ORDERS' })).toEqual(['b']);
    expect(await ids({ q: '100%' })).toEqual(['a']);
    expect(await ids({ q: '_' })).toEqual(['d']);
  });

  it('pages with an opaque keyset cursor in both directions', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listWorkflows(pool, tenant, { limit: 2, order, cursor });
        seen.push(...page.items.map((item) => item.workflow_id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(await ids({ order }));
    }
  });

  it('rejects a cursor it did not issue and an out-of-range limit as validation errors', async () => {
    for (const cursor of ['nope', Buffer.from('["x"]').toString('base64url'), Buffer.from('[1,"a"]').toString('base64url')]) {
      const error: unknown = await listWorkflows(pool, tenant, { limit: 5, cursor }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'validation', errors: [{ pointer: '/querystring/cursor' }] });
    }
    await expect(listWorkflowVersions(pool, tenant, 'a', { limit: 5, cursor: 'bad' })).rejects.toMatchObject({ errors: [{ pointer: '/querystring/cursor' }] });
    await expect(listWorkflows(pool, tenant, { limit: 501 })).rejects.toMatchObject({ code: 'validation', errors: [{ pointer: '/querystring/limit' }] });
  });

  it('never shows another tenant', async () => {
    expect(await getWorkflow(pool, 'someone-else', 'b')).toBeUndefined();
    expect((await getWorkflow(pool, 'someone-else', 'a'))?.created_at).toBe('2024-06-09T00:00:00.000Z');
    expect(await getWorkflowVersion(pool, tenant, 'a', 2)).toBeUndefined();
  });
});
