import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { freePort, ROOT, run, start, type Started } from '../support/processes.js';
import { serviceEnv } from '../support/system.js';

/**
 * The query service reads API keys from, and appends denials to, the log EVENT_STORE names,
 * as the command service writes them there. No KurrentDB runs here, so its URL names a closed
 * port: checking a key then has to ask KurrentDB and cannot (503, retry), where PostgreSQL's
 * log (migrated, without that key) would have answered 401.
 */
let db: TestDatabase;
let query: Started | undefined;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase('store_choice');
  await run(process.execPath, [`${ROOT}projector/dist/cli/main.js`, 'migrate', 'up'], serviceEnv(db.url, 'redis://127.0.0.1:6379/11'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  query = await start({
    name: 'query-service',
    command: process.execPath,
    args: [`${ROOT}query-service/dist/main.js`],
    env: serviceEnv(db.url, 'redis://127.0.0.1:6379/11', {
      SERVER_PORT: String(port),
      METRICS_PORT: String(await freePort()),
      EVENT_STORE: 'kurrentdb',
      KURRENTDB_URL: `kurrentdb://127.0.0.1:${await freePort()}?tls=false`,
    }),
    readyUrl: `${base}/ready`,
  });
}, 60_000);

afterAll(async () => {
  await query?.stop();
  await db?.drop();
});

describe('EVENT_STORE=kurrentdb', () => {
  it('the query service checks API keys against KurrentDB, not against PostgreSQL', async () => {
    const key = `iwf.${Buffer.from('acme').toString('base64url')}.${'0'.repeat(32)}.${'s'.repeat(43)}`;
    const reply = await fetch(`${base}/api/v1/workflows`, { headers: { 'x-api-key': key } });
    expect(reply.status, await reply.clone().text()).toBe(503);
    expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await reply.json()).toMatchObject({ status: 503, type: expect.stringMatching(/event-store-unavailable$/) });
  });
});
