import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '@iwf/platform/security/route-table';
import { apiClient } from '../runtime/testing/http.js';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { canonicalWorkflow, legacyWorkflow } from '../runtime/testing/workflows.js';
import { fromSchema, mutated, queryOf } from './testing/arbitraries.js';
import { writeTenantA, type TenantAData } from './testing/tenant-a.js';

// Runs per route; the whole file stays around a minute on two cores at the default.
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 40);

let system: TestSystem;
let db: pg.Pool;
let token: string;
let seeded: TenantAData;

beforeAll(async () => {
  system = await startTestSystem('fuzz', { env: { MIN_POSITION_WAIT_MS: '5000' } });
  db = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  token = await system.tokenFor('fuzz', ['admin', 'sales_manager']);
  seeded = await writeTenantA(apiClient(system.app, token), system.tenant('fuzz'));
});

afterAll(async () => {
  await db?.end();
  await system?.close();
});

/** Bodies that get past the first check often enough to reach the deciders. */
function bodyFor(route: RouteEntry): fc.Arbitrary<unknown> {
  const generic = fromSchema(route.schema.body);
  if (route.url.startsWith('/api/v1/workflows') && (route.url === '/api/v1/workflows' || route.method === 'PUT')) {
    return fc.oneof(generic, mutated(legacyWorkflow('fuzzed')), mutated(canonicalWorkflow('fuzzed')));
  }
  if (route.url.startsWith('/api/v1/rules')) {
    return fc.oneof(generic, mutated({ rule_id: 'fuzzed_rule', name: 'n', condition: { field: 'order.total', operator: 'gt', value: 1 } }));
  }
  return generic;
}

function paramsFor(route: RouteEntry): fc.Arbitrary<string> {
  const names = [...route.url.matchAll(/:([a-z_]+)/g)].map((match) => match[1] ?? '');
  const known = [seeded.workflowId, seeded.executionId, seeded.approvalId, seeded.eventId, seeded.ruleId, 'a_only', '1'];
  const properties = (route.schema.params as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  // Buffer round trip: lone surrogates become U+FFFD, which encodeURIComponent accepts.
  const encode = (text: string): string => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));
  const generated = (name: string) => fromSchema(properties[name]).map((value) => encode(typeof value === 'string' ? value : (JSON.stringify(value) ?? '')));
  // Raw segments too: broken percent-escapes and traversal must not reach a handler as 5xx.
  const one = (name: string) => fc.oneof(fc.constantFrom(...known.map(encode)), generated(name), fc.constantFrom('%', '%zz', '%E0%A4%A', '..%2F..', '%00'));
  return fc.tuple(...names.map(one)).map((values) => {
    let index = 0;
    return route.url.replace(/:([a-z_]+)/g, () => values[index++] ?? '');
  });
}

async function appendedBy(requestId: string): Promise<number> {
  const result = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM iwf_events.events WHERE type <> 'AccessDenied' AND (metadata->>'causation_id' = $1 OR metadata->>'correlation_id' = $1)",
    [requestId],
  );
  return Number(result.rows[0]?.n);
}

async function fuzz(route: RouteEntry): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  const write = route.method !== 'GET';
  await fc.assert(
    fc.asyncProperty(paramsFor(route), queryOf(route.schema.querystring, ['min_position']), write ? bodyFor(route) : fc.constant(undefined), async (path, query, body) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const reply = await system.app.inject({
        method: route.method as 'GET',
        url: `${path}${query}`,
        headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { payload }),
      });
      statuses[reply.statusCode] = (statuses[reply.statusCode] ?? 0) + 1;
      expect(reply.statusCode, `${route.method} ${path}${query} ${payload?.slice(0, 200) ?? ''} → ${reply.body.slice(0, 300)}`).toBeLessThan(500);
      if (reply.statusCode >= 400) expect(await appendedBy(String(reply.headers['x-request-id']))).toBe(0);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  return statuses;
}

const routesWhere = (write: boolean): RouteEntry[] =>
  system.app.securityRoutes.filter((route) => !route.public && route.url.startsWith('/api/v1/') && (route.method === 'GET') !== write && route.method !== 'HEAD');

describe('property-based fuzzing of every route (fast-check)', () => {
  it('every command body, path and query: only 2xx/4xx, and a rejected command appends nothing', async () => {
    const seen: string[] = [];
    for (const route of routesWhere(true)) seen.push(`${route.method} ${route.url} ${JSON.stringify(await fuzz(route))}`);
    expect(seen.length).toBeGreaterThanOrEqual(16);
    // Some requests of the run must get through, or the fuzzer only ever tested validation.
    expect(seen.some((line) => /"2\d\d"/.test(line))).toBe(true);
  });

  it('every query string and path of every query route: only 2xx/4xx, nothing appended', async () => {
    const before = await system.eventCount();
    const seen: string[] = [];
    for (const route of routesWhere(false)) seen.push(`${route.method} ${route.url} ${JSON.stringify(await fuzz(route))}`);
    expect(seen.length).toBeGreaterThanOrEqual(16);
    expect(seen.filter((line) => /"200"/.test(line)).length).toBeGreaterThan(8);
    expect(await system.eventCount()).toBe(before);
  });
});
