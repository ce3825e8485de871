import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import type { EventStore, RecordedEvent } from '@iwf/contracts';
import { streamId } from '@iwf/contracts';
import { mintToken } from '@iwf/platform/auth/jwt';
import { loadConfig } from '@iwf/platform/config/config';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { HttpApp } from '@iwf/platform/http/app';
import { createHttpApp } from '@iwf/platform/http/app';
import { createTestDatabase } from '@iwf/platform/testing/database';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { registerCommandService } from '../../../app.js';
import { createPostgresEventStore, eventStoreMigrations } from '../../../event-store/index.js';
import { endPool } from '../../../event-store/postgres/testing.js';
import { commandMigrations } from '../../../idempotency/migrations.js';
import { createSecretStore } from '../../adapters/secrets.js';
import { engineMigrations } from '../../migrations.js';
import { loadEngineConfig } from '../config.js';
import { Engine } from '../engine.js';

const JWT_SECRET = 'iwf-engine-test-secret-0123456789abcdef';

/** Engine settings for tests: short polls and leases, so time-based behaviour takes milliseconds. */
export const TEST_ENGINE_ENV: Readonly<Record<string, string>> = {
  ENGINE_TIMER_POLL_MS: '25',
  ENGINE_LEASE_MS: '400',
  ENGINE_REPAIR_GRACE_MS: '100',
  ENGINE_WAIT_POLL_MS: '20',
  ENGINE_HTTP_TIMEOUT_MS: '3000',
};

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, unknown>>;
}

export interface EngineTestSystem {
  readonly app: HttpApp;
  readonly engine: Engine;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly database: TestDatabase;
  readonly tenant: string;
  /** Every log line any engine of this system wrote (JSON text), all levels. */
  readonly logLines: string[];
  call(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, options?: { roles?: readonly string[]; actor?: string; headers?: Record<string, string> }): Promise<Reply>;
  /** Another engine (as another replica would run) on the same database, with its own pool. */
  replica(): Promise<Engine>;
  execution(executionId: string): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

/** A connection still closing when teardown drops the database reports it; that is expected then. */
const quiet = (pool: pg.Pool): pg.Pool => pool.on('error', () => undefined);

export interface EngineSystemOptions {
  /** Wraps the event store every engine and route of the system uses (to act between an append and what follows it). */
  readonly wrapStore?: (store: EventStore) => EventStore;
}

export async function startEngineSystem(label: string, env: Readonly<Record<string, string>> = {}, options: EngineSystemOptions = {}): Promise<EngineTestSystem> {
  const database = await createTestDatabase(label);
  const pool = quiet(new pg.Pool({ connectionString: database.url, max: 16 }));
  for (const set of [eventStoreMigrations, commandMigrations, engineMigrations]) await migrateUp(pool, set);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter((line) => line.trim() !== ''));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  const fullEnv = { ...TEST_ENGINE_ENV, ...env };
  const engineConfig = loadEngineConfig(fullEnv);
  const extras: { engine: Engine; pool: pg.Pool; store: EventStore }[] = [];
  const build = (enginePool: pg.Pool) => {
    const postgres = createPostgresEventStore({ pool: enginePool, connectionString: database.url, timing: { pollMs: 100 } });
    const store = options.wrapStore?.(postgres) ?? postgres;
    const engine = new Engine({ store, pool: enginePool, clock: () => new Date(), newId: randomUUID, logger, config: engineConfig, secrets: createSecretStore(fullEnv) });
    engine.start();
    return { store, engine };
  };
  const { store, engine } = build(pool);
  const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: database.url, JWT_SECRET });
  const app = await createHttpApp({ config, logger });
  await registerCommandService(app, { store, pool, clock: () => new Date(), newId: randomUUID, engine });
  await app.ready();
  const tenant = `t-${randomBytes(4).toString('hex')}`;
  return {
    app,
    engine,
    pool,
    store,
    database,
    tenant,
    logLines,
    async call(method, path, body, options = {}) {
      const token = await mintToken(JWT_SECRET, { tenant, actor: options.actor ?? 'tester', roles: options.roles ?? ['admin'] });
      const reply = await app.inject({
        method,
        url: `/api/v1${path}`,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: reply.statusCode, body: reply.body === '' ? {} : (JSON.parse(reply.body) as Record<string, unknown>), headers: reply.headers };
    },
    async replica() {
      const replicaPool = quiet(new pg.Pool({ connectionString: database.url, max: 8 }));
      const built = build(replicaPool);
      extras.push({ ...built, pool: replicaPool });
      return built.engine;
    },
    execution: (executionId) => store.readStream(streamId('execution', tenant, executionId)),
    async close() {
      await app.close();
      for (const extra of [...extras, { engine, pool, store }]) {
        await extra.engine.close();
        await extra.store.close();
        await endPool(extra.pool);
      }
      await database.drop();
    },
  };
}
