import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import pg from 'pg';
import { registerCommandService } from '@iwf/command-service';
import { createPostgresEventStore, eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { endPool } from '@iwf/command-service/event-store/postgres/testing';
import { commandMigrations } from '@iwf/command-service/idempotency/migrations';
import { loadEngineConfig } from '@iwf/command-service/engine/runtime/config';
import { Engine } from '@iwf/command-service/engine/runtime/engine';
import { engineMigrations } from '@iwf/command-service/engine/migrations';
import { mintToken } from '@iwf/platform/auth/jwt';
import { loadConfig } from '@iwf/platform/config/config';
import { migrateUp } from '@iwf/platform/db/migrations';
import { createHttpApp } from '@iwf/platform/http/app';
import { createLogger } from '@iwf/platform/logging/logger';

/** A server under test: where to send one ingest request, and how to stop it. */
export interface RunningSystem {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body of the i-th request. */
  body(index: number): string;
  /** Checks an answer is what the system promises (so a fast wrong answer cannot win). */
  check(status: number, body: string): void;
  close(): Promise<void>;
}

export type SystemName = 'ours' | 'ceiling';

const JWT_SECRET = 'iwf-bench-secret-0123456789abcdefghijkl';

/** The two-step workflow each ingest runs: a condition, then an allow. */
const WORKFLOW = {
  workflow_id: 'bench_gate', version: '1', name: 'bench gate', trigger: { type: 'event', event: 'bench.order' },
  steps: [
    { id: 'big_enough', type: 'condition', condition: { field: 'order.total', operator: 'gt', value: 10 }, on_true: 'allow', on_false: 'deny' },
    { id: 'allow', type: 'action', action: { type: 'allow' } },
    { id: 'deny', type: 'action', action: { type: 'block' } },
  ],
};

/** Teardown drops the database under connections still closing; their errors are expected then. */
const openPool = (url: string, max: number): pg.Pool => new pg.Pool({ connectionString: url, max }).on('error', () => undefined);

const listen = async (app: { listen(options: { port: number; host: string }): Promise<string>; server: { address(): unknown } }): Promise<string> => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
};

/**
 * The command service as deployed (fastify, auth, idempotency plugin, engine with its
 * workers), ingesting with `?wait=true`: trigger index, execution append, ingest record.
 */
export async function startOurs(databaseUrl: string, poolSize: number): Promise<RunningSystem> {
  const pool = openPool(databaseUrl, poolSize);
  for (const set of [eventStoreMigrations, commandMigrations, engineMigrations]) await migrateUp(pool, set);
  const logger = createLogger({ level: 'warn', name: 'bench-ingest' });
  const store = createPostgresEventStore({ pool, connectionString: databaseUrl });
  const engine = new Engine({ store, pool, clock: () => new Date(), newId: randomUUID, logger, config: loadEngineConfig(process.env) });
  engine.start();
  const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: databaseUrl, JWT_SECRET });
  const app = await createHttpApp({ config, logger: false });
  await registerCommandService(app, { store, pool, clock: () => new Date(), newId: randomUUID, engine });
  const url = await listen(app);
  const token = await mintToken(JWT_SECRET, { tenant: 'bench', actor: 'bench', roles: ['admin'] });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/v1/workflows`, { method: 'POST', headers, body: JSON.stringify(WORKFLOW) });
  if (created.status !== 201) throw new Error(`creating the bench workflow answered ${created.status}: ${await created.text()}`);
  return {
    url: `${url}/api/v1/events?wait=true`,
    headers,
    body: (index) => JSON.stringify({ event_type: 'bench.order', payload: { order: { id: `o-${index}`, total: 10 + (index % 90) + 1 } } }),
    check(status, body) {
      if (status !== 202 || !body.includes('"decision":"allowed"')) throw new Error(`ours answered ${status}: ${body}`);
    },
    async close() {
      await app.close();
      await engine.close();
      await store.close();
      await endPool(pool);
    },
  };
}

/** The ceiling: a bare fastify route doing one INSERT of the event per request. */
export async function startCeiling(databaseUrl: string, poolSize: number): Promise<RunningSystem> {
  const pool = openPool(databaseUrl, poolSize);
  await pool.query('CREATE TABLE ingested (id uuid PRIMARY KEY, event_type text NOT NULL, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
  const app = Fastify({ logger: false });
  app.post('/ingest', async (request, reply) => {
    const { event_type, payload } = request.body as { event_type: string; payload: unknown };
    const id = randomUUID();
    await pool.query({ name: 'ceiling_ingest', text: 'INSERT INTO ingested (id, event_type, payload) VALUES ($1, $2, $3)', values: [id, event_type, JSON.stringify(payload)] });
    return reply.status(202).send({ event_id: id });
  });
  const url = await listen(app);
  return {
    url: `${url}/ingest`,
    headers: { 'content-type': 'application/json' },
    body: (index) => JSON.stringify({ event_type: 'bench.order', payload: { order: { id: `o-${index}`, total: 10 + (index % 90) + 1 } } }),
    check(status) {
      if (status !== 202) throw new Error(`ceiling answered ${status}`);
    },
    async close() {
      await app.close();
      await endPool(pool);
    },
  };
}
