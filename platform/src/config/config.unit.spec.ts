import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives working defaults for local development', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.metricsPort).toBe(9090);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/workflows');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.jwt.secret).toBe(DEV_JWT_SECRET);
  });

  it('reads the seed variables and converts numbers', () => {
    const config = loadConfig({
      SERVER_PORT: '9000',
      DB_HOST: 'db',
      DB_PASSWORD: 'p@ss',
      DB_NAME: 'wf',
      DB_SSL_MODE: 'require',
      REDIS_HOST: 'cache',
      REDIS_PORT: '6380',
      MAX_REQUEST_SIZE_MB: '2',
    });
    expect(config.port).toBe(9000);
    expect(config.databaseUrl).toBe('postgres://postgres:p%40ss@db:5432/wf?uselibpqcompat=true&sslmode=require');
    expect(config.redisUrl).toBe('redis://cache:6380');
    expect(config.bodyLimitBytes).toBe(2 * 1024 * 1024);
  });

  it('DB_SSL_MODE means what it means to libpq, and DB_SSL_ROOT_CERT names the CA to check the server against', () => {
    // What node-postgres makes of the URL (its parsed parameters are not in its typings).
    const sslOf = (env: Record<string, string>): unknown =>
      (new pg.Client({ connectionString: loadConfig(env).databaseUrl }) as unknown as { connectionParameters: { ssl: unknown } }).connectionParameters.ssl;
    expect(sslOf({ DB_SSL_MODE: 'disable' })).toBe(false);
    // Encrypted, the certificate not checked: what require means, and what a private CA needs without DB_SSL_ROOT_CERT.
    expect(sslOf({ DB_SSL_MODE: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(sslOf({ DB_SSL_MODE: 'verify-full' })).toEqual({});
    const dir = mkdtempSync(join(tmpdir(), 'iwf-ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'a CA certificate');
    const withCa = sslOf({ DB_SSL_MODE: 'require', DB_SSL_ROOT_CERT: join(dir, 'ca.pem') }) as { ca: string; rejectUnauthorized?: boolean; checkServerIdentity: unknown };
    expect(withCa).toMatchObject({ ca: 'a CA certificate' });
    expect(withCa.rejectUnauthorized).toBeUndefined();
    expect(typeof withCa.checkServerIdentity).toBe('function');
    expect(sslOf({ DB_SSL_MODE: 'verify-full', DB_SSL_ROOT_CERT: join(dir, 'ca.pem') })).toEqual({ ca: 'a CA certificate' });
  });

  it('prefers DATABASE_URL and REDIS_URL when given', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x@y/z', REDIS_URL: 'redis://r:1' });
    expect(config.databaseUrl).toBe('postgres://x@y/z');
    expect(config.redisUrl).toBe('redis://r:1');
  });

  it('names every invalid variable at once', () => {
    try {
      loadConfig({ SERVER_PORT: 'eighty', LOG_LEVEL: 'loud', MAX_REQUEST_SIZE_MB: '-1' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('SERVER_PORT');
      expect(message).toContain('LOG_LEVEL');
      expect(message).toContain('MAX_REQUEST_SIZE_MB');
    }
  });

  it('refuses to run in production without a signing secret', () => {
    expect(() => loadConfig({ APP_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ APP_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ APP_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwt.secret).toBe('x'.repeat(32));
  });

  it('refuses in staging and production the secrets published in the repository: the development key and the template placeholders', () => {
    const published = [
      { JWT_SECRET: DEV_JWT_SECRET },
      { JWT_SECRET: 'change-me-to-at-least-32-random-characters' },
      { JWT_SECRET: 'x'.repeat(32), DB_PASSWORD: 'change-me' },
    ];
    for (const APP_ENV of ['staging', 'production']) {
      for (const secrets of published) {
        const name = Object.keys(secrets).at(-1)!;
        expect(() => loadConfig({ APP_ENV, ...secrets }), `${APP_ENV} ${name}`).toThrow(new RegExp(`${name}: a published placeholder`));
      }
    }
    // Development and test keep working with them.
    expect(loadConfig({ APP_ENV: 'development', DB_PASSWORD: 'change-me' }).databaseUrl).toContain(':change-me@');
    expect(loadConfig({ APP_ENV: 'test', JWT_SECRET: DEV_JWT_SECRET }).jwt.secret).toBe(DEV_JWT_SECRET);
  });
});
