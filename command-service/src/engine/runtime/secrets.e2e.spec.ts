import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@iwf/platform/auth/jwt';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { IWF_CLI, request, startService, type ServiceProcess } from './testing/process.js';
import { startReceiver, type Receiver } from './testing/receiver.js';
import { legacyFixture } from './testing/world.js';

const JWT_SECRET = 'iwf-secrets-e2e-secret-0123456789abcdef';
const FRAUD_TOKEN = `fraud-${randomBytes(8).toString('hex')}`;
const HOOK_TOKEN = `hook-${randomBytes(8).toString('hex')}`;

let db: TestDatabase;
let echo: Receiver;
let dev: ServiceProcess;
let token: string;

// The whole system (`iwf dev`: command, engine, projector, query) as a child process.
beforeAll(async () => {
  echo = await startReceiver((req, index) => ({ status: index === 0 ? 500 : 200, body: { echoed: { path: req.path, headers: req.headers, body: req.body } } }));
  db = await createTestDatabase('secrets_e2e');
  dev = await startService(IWF_CLI, ['dev', '--port', '0', '--host', '127.0.0.1'], {
    APP_ENV: 'development',
    DATABASE_URL: db.url,
    JWT_SECRET,
    LOG_LEVEL: 'trace',
    LOG_FORMAT: 'json',
    METRICS_PORT: '0',
    ENGINE_TIMER_POLL_MS: '25',
    OUTBOUND_HOST_MAP: `echo.example.com=${echo.url},fraud-api.example.com=${echo.url}`,
    IWF_SECRET_FRAUD_API_TOKEN: FRAUD_TOKEN,
    IWF_SECRET_HOOK_TOKEN: HOOK_TOKEN,
  }, 'iwf dev is ready');
  token = await mintToken(JWT_SECRET, { tenant: `sec-${randomBytes(3).toString('hex')}`, actor: 'auditor', roles: ['admin'] });
});

afterAll(async () => {
  await dev?.stop();
  await echo?.close();
  await db?.drop();
});

const leaky = {
  workflow_id: 'leaky', version: '1', name: 'leaky', trigger: { type: 'event', event: 'leak.try' },
  steps: [
    {
      id: 'call', type: 'execute', next: 'tell',
      retry: { max_attempts: 2, backoff: 'fixed', initial_interval: '20ms', retry_on: ['5xx'] },
      execute: [{ type: 'http_request', url: 'https://echo.example.com/hook/{{secrets.hook_token}}?key={{secrets.hook_token}}', headers: { 'X-Api-Key': '{{secrets.hook_token}}' }, body: { token: '{{secrets.hook_token}}', order: '{{order.id}}' } }],
    },
    { id: 'tell', type: 'execute', execute: [{ type: 'notify', recipients: ['webhook:https://echo.example.com/notify/{{secrets.hook_token}}'], message: 'done {{order.id}}' }] },
  ],
};

/** Every row of every table of the database, and every value in Redis, that holds the text. */
async function placesHolding(text: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const found: string[] = [];
  try {
    const tables = await pool.query<{ schema: string; name: string }>(
      "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(tables.rows.map((row) => row.schema)).toEqual(expect.arrayContaining(['iwf_events', 'iwf_command', 'iwf_read']));
    for (const { schema, name } of tables.rows) {
      const rows = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${name}" t WHERE t::text LIKE $1`, [`%${text}%`]);
      if ((rows.rows[0]?.n ?? 0) > 0) found.push(`${schema}.${name}`);
    }
  } finally {
    await pool.end();
  }
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : '';
        if (key.includes(text) || (value ?? '').includes(text)) found.push(`redis ${key}`);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return found;
}

describe('{{secrets.NAME}}', () => {
  it('reaches the receiver but no event, no log line and no read model', async () => {
    for (const document of [legacyFixture('cart-fraud-detection.json'), leaky]) {
      expect((await request(dev.address, 'POST', '/workflows', token, document)).status).toBe(201);
    }
    const reads: unknown[] = [];
    for (const [type, payload] of [['leak.try', { order: { id: 'O-1' } }], ['cart.checkout.started', { cart: { id: 'K-1', total: 10 } }]] as const) {
      const ingested = await request(dev.address, 'POST', '/events?wait=true', token, { event_type: type, payload });
      expect(ingested.status).toBe(202);
      const [execution] = ingested.body['executions'] as { execution_id: string; status: string }[];
      expect(execution?.status).toBe('completed');
      const minPosition = { 'x-min-position': String(ingested.body['position']), 'x-max-wait-ms': '10000' };
      const read = await request(dev.address, 'GET', `/executions/${execution?.execution_id}`, token, undefined, minPosition);
      expect(read.status).toBe(200);
      reads.push(read.body, (await request(dev.address, 'GET', `/events/${String(ingested.body['event_id'])}`, token, undefined, minPosition)).body);
    }
    // The secrets were sent: in the URL, a header and the body; and the bearer token.
    const sent = JSON.stringify(echo.requests);
    expect(sent).toContain(`/hook/${HOOK_TOKEN}?key=${HOOK_TOKEN}`);
    expect(echo.requests.some((req) => req.headers['authorization'] === `Bearer ${FRAUD_TOKEN}`)).toBe(true);
    expect(echo.requests.some((req) => req.path === `/notify/${HOOK_TOKEN}`)).toBe(true);
    // ... and the receiver echoed them back, which the engine records scrubbed.
    for (const secret of [HOOK_TOKEN, FRAUD_TOKEN]) {
      expect(await placesHolding(secret)).toEqual([]);
      expect(dev.output.filter((line) => line.includes(secret))).toEqual([]);
      expect(JSON.stringify(reads)).not.toContain(secret);
    }
    expect(dev.output.length).toBeGreaterThan(20);
    expect(JSON.stringify(reads)).toContain('[redacted]');
  });
});
