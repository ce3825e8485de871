import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '@iwf/contracts';
import type { RouteEntry } from '@iwf/platform/security/route-table';
import { startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { EXPECTED_ACCESS, concreteUrl, isExpectedPublic } from './testing/expected-access.js';

let system: TestSystem;
let db: pg.Pool;
let routes: RouteEntry[];

// Every role of API.md, and a principal whose only role means nothing to the API.
const PRINCIPALS: readonly (readonly [string, readonly string[]])[] = [...ROLES.map((role) => [role, [role]] as const), ['unrelated', ['sales_manager']]];

beforeAll(async () => {
  system = await startTestSystem('route_matrix');
  db = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  routes = system.app.securityRoutes.filter((route) => route.method !== 'HEAD');
});

afterAll(async () => {
  await db?.end();
  await system?.close();
});

const keyOf = (route: RouteEntry): string => `${route.method} ${route.url}`;

async function call(route: RouteEntry, token: string | undefined) {
  const write = route.method !== 'GET';
  return system.app.inject({
    method: route.method as 'GET',
    url: concreteUrl(route.url),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(write ? { 'content-type': 'application/json' } : {}) },
    ...(write ? { payload: '{}' } : {}),
  });
}

async function countByType(type: string): Promise<number> {
  const result = await db.query<{ n: string }>('SELECT count(*) AS n FROM iwf_events.events WHERE type = $1', [type]);
  return Number(result.rows[0]?.n);
}

describe('the route table', () => {
  it('is the whole API: both services, the admin routes and the public ones', () => {
    expect(routes.length).toBeGreaterThan(Object.keys(EXPECTED_ACCESS).length);
    expect(routes.filter((route) => route.public).map((route) => route.url)).toEqual(expect.arrayContaining(['/health', '/ready']));
  });

  it('gives every non-public route a permission (a route without a rule is refused to everyone)', () => {
    expect(routes.filter((route) => !route.public && route.permission === undefined).map(keyOf)).toEqual([]);
  });

  it('lists every route in the expected access table, and nothing the app does not serve', () => {
    const served = new Set(routes.filter((route) => !route.public).map(keyOf));
    expect([...served].filter((key) => !(key in EXPECTED_ACCESS))).toEqual([]);
    expect(Object.keys(EXPECTED_ACCESS).filter((key) => !served.has(key))).toEqual([]);
  });

  it('gives the HEAD twin of every GET route the same rule', () => {
    const heads = system.app.securityRoutes.filter((route) => route.method === 'HEAD' && !route.public);
    const gets = new Map(routes.filter((route) => route.method === 'GET').map((route) => [route.url, route.permission]));
    expect(heads.length).toBeGreaterThan(0);
    expect(heads.filter((route) => gets.get(route.url) !== route.permission).map(keyOf)).toEqual([]);
  });

  it('makes public only health, readiness and the API documentation', () => {
    expect(routes.filter((route) => route.public && !isExpectedPublic(route.url)).map(keyOf)).toEqual([]);
  });
});

describe('route × role matrix', () => {
  it('answers 401 without credentials on every non-public route, and public routes without credentials', async () => {
    const wrong: string[] = [];
    await Promise.all(
      routes.map(async (route) => {
        const reply = await call(route, undefined);
        const ok = route.public ? reply.statusCode < 400 || reply.statusCode === 404 : reply.statusCode === 401;
        if (!ok) wrong.push(`${keyOf(route)} without credentials: ${reply.statusCode}`);
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('allows exactly the roles of API.md on every route; each refusal is a 403 problem recorded as one AccessDenied event', async () => {
    const tokens = await Promise.all(PRINCIPALS.map(async ([name, roles]) => [name, roles, await system.tokenFor('matrix', roles, { actor: `matrix-${name}` })] as const));
    const before = { all: await system.eventCount(), denied: await countByType('AccessDenied') };
    const wrong: string[] = [];
    let denials = 0;
    for (const route of routes.filter((candidate) => !candidate.public)) {
      const allowed = EXPECTED_ACCESS[keyOf(route)] ?? [];
      const replies = await Promise.all(tokens.map(async ([name, roles, token]) => ({ name, roles, reply: await call(route, token) })));
      for (const { name, roles, reply } of replies) {
        const expectAllowed = roles.some((role) => (allowed as readonly string[]).includes(role));
        const status = reply.statusCode;
        if (expectAllowed && (status === 401 || status === 403 || status >= 500)) wrong.push(`${keyOf(route)} as ${name}: ${status}, expected allowed`);
        if (!expectAllowed) {
          denials += 1;
          const forbidden = status === 403 && /^application\/problem\+json/.test(String(reply.headers['content-type'])) && /\/forbidden$/.test(String(reply.json<{ type: string }>().type));
          if (!forbidden) wrong.push(`${keyOf(route)} as ${name}: ${status}, expected a 403 problem`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(denials).toBeGreaterThan(50);
    // Allowed requests carried ids nobody created or empty bodies: only the denials were appended.
    expect(await countByType('AccessDenied')).toBe(before.denied + denials);
    expect(await system.eventCount()).toBe(before.all + denials);
  });
});
