import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { mintToken } from '@iwf/platform/auth/jwt';
import { loadConfig, type Config } from '@iwf/platform/config/config';
import type { HttpApp } from '@iwf/platform/http/app';
import { shutdown, type Closeable } from '@iwf/platform/runtime/serve';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { buildAllInOne } from '../all-in-one.js';

export const TEST_JWT_SECRET = 'iwf-integration-test-secret-0123456789abcdef';

/** The all-in-one app (command, query and projector roles) on a fresh database. */
export interface TestSystem {
  readonly app: HttpApp;
  readonly config: Config;
  /**
   * The tenant id behind a short name. Names are local to one system: the Redis cache is
   * shared by every test file (and every earlier run), so each system gets its own tenants.
   */
  tenant(name: string): string;
  /** A bearer token for the named tenant (admin unless roles are given). */
  tokenFor(tenant: string, roles?: readonly string[], options?: { actor?: string; expiresIn?: string }): Promise<string>;
  /** How many events the log holds: a rejected command must leave it unchanged. */
  eventCount(): Promise<number>;
  /** One of the resources the app opened, by name ("postgres", "cache", ...), for tests that break it. */
  resource(name: string): Closeable;
  /** Log lines the app wrote at warn level or above (JSON, one object each). */
  logs(): readonly Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestSystemOptions {
  /** Extra environment for `loadConfig` (e.g. MAX_REQUEST_SIZE_MB). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startTestSystem(label = 'system', options: TestSystemOptions = {}): Promise<TestSystem> {
  const db = await createTestDatabase(label);
  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    JWT_SECRET: TEST_JWT_SECRET,
    DB_POOL_MAX: '8',
    ...options.env,
  });
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  let built: Awaited<ReturnType<typeof buildAllInOne>>;
  try {
    built = await buildAllInOne(config, logger);
    await built.app.ready();
  } catch (error) {
    await db.drop();
    throw error;
  }
  const { app, resources } = built;
  const inspector = new pg.Pool({ connectionString: db.url, max: 2 });
  const suffix = randomBytes(4).toString('hex');
  const tenant = (name: string): string => `${name}-${suffix}`;

  return {
    app,
    config,
    tenant,
    async tokenFor(name, roles = ['admin'], extra = {}) {
      return mintToken(TEST_JWT_SECRET, { tenant: tenant(name), actor: extra.actor ?? `${name}-user`, roles, ...(extra.expiresIn ? { expiresIn: extra.expiresIn } : {}) });
    },
    async eventCount() {
      const result = await inspector.query<{ n: string }>('SELECT count(*) AS n FROM iwf_events.events');
      return Number(result.rows[0]?.n);
    },
    resource(name) {
      const found = resources.find((resource) => resource.name === name);
      if (!found) throw new Error(`no resource ${name}; the app opened ${resources.map((resource) => resource.name).join(', ')}`);
      return found;
    },
    logs: () => lines,
    async close() {
      await shutdown(app, resources, logger);
      await inspector.end();
      await db.drop();
    },
  };
}
