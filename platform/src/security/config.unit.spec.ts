import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.js';

describe('security configuration', () => {
  it('rate-limits by default in staging and production, not in development and test', () => {
    expect(loadConfig({ APP_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).security.rateLimit).toEqual({ requestsPerSecond: 100, burst: 200, perIpFactor: 10 });
    expect(loadConfig({}).security.rateLimit.requestsPerSecond).toBe(0);
    expect(loadConfig({ RATE_LIMIT_REQUESTS_PER_SECOND: '2.5', RATE_LIMIT_BURST: '7' }).security.rateLimit).toMatchObject({ requestsPerSecond: 2.5, burst: 7 });
  });

  it('reads origins, JSON depth and outbound lists', () => {
    const { security } = loadConfig({
      ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173',
      MAX_JSON_DEPTH: '20',
      OUTBOUND_ALLOWLIST: 'api.example.com,*.partner.net,10.0.0.0/8',
      OUTBOUND_DENYLIST: '192.168.0.0/16',
    });
    expect(security.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(security.maxJsonDepth).toBe(20);
    expect(security.outbound).toEqual({ allow: ['api.example.com', '*.partner.net', '10.0.0.0/8'], deny: ['192.168.0.0/16'] });
    expect(loadConfig({}).security).toMatchObject({ allowedOrigins: [], trustProxy: false, maxJsonDepth: 64 });
  });

  it('reads TRUST_PROXY as a flag, a hop count or proxy addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).security.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).security.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    const hops = loadConfig({ TRUST_PROXY: '1' }).security.trustProxy;
    expect(typeof hops === 'function' && [hops('10.0.0.1', 0), hops('10.0.0.1', 1)]).toEqual([true, false]);
  });

  it('names each invalid security variable', () => {
    try {
      loadConfig({ ALLOWED_ORIGINS: 'https://ok.example.com,not an origin', OUTBOUND_DENYLIST: '10.0.0.0/99', TRUST_PROXY: 'proxy.example.com', JWT_JWKS_URL: 'ftp://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      for (const name of ['ALLOWED_ORIGINS', 'OUTBOUND_DENYLIST', 'TRUST_PROXY', 'JWT_JWKS_URL']) expect((error as ConfigError).message).toContain(name);
    }
  });

  it('accepts a JWKS URL instead of a secret in production, and then refuses HS256', () => {
    const config = loadConfig({ APP_ENV: 'production', JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' });
    expect(config.jwt).toMatchObject({ secret: undefined, jwksUrl: 'https://id.example.com/.well-known/jwks.json', jwksCacheSeconds: 600 });
  });
});
