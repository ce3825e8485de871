import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DomainError } from '@iwf/contracts';
import { createBearerVerifier, mintToken } from './jwt.js';

const SECRET = 'unit-test-secret-0123456789abcdef0123';
const settings = { secret: SECRET, issuer: undefined, audience: undefined, clockSkewSeconds: 0 };

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function rs256Token(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', kid: 'k1' })}.${part({ sub: 'a', org: 't1', exp: Math.floor(Date.now() / 1000) + 60 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

describe('bearer verifier', () => {
  it('reads the principal from an HS256 token', async () => {
    const token = await mintToken(SECRET, { actor: 'alice', tenant: 'acme', roles: ['workflow_viewer'] });
    await expect(createBearerVerifier(settings)(token)).resolves.toEqual({ actor: 'alice', tenant: 'acme', roles: ['workflow_viewer'] });
  });

  it('refuses RS256 when no JWKS URL is configured, and HS256 when no secret is', async () => {
    await expect(createBearerVerifier(settings)(rs256Token())).rejects.toMatchObject({ code: 'unauthenticated' });
    const token = await mintToken(SECRET, { actor: 'alice', tenant: 'acme', roles: [] });
    const jwksOnly = createBearerVerifier({ ...settings, secret: undefined, jwksUrl: 'http://127.0.0.1:9/jwks' });
    await expect(jwksOnly(token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('answers 503 (not 401) while the JWKS URL cannot be reached and no keys were ever fetched', async () => {
    const verify = createBearerVerifier({ ...settings, jwksUrl: `http://127.0.0.1:${await closedPort()}/jwks` });
    const error: unknown = await verify(rs256Token()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'unavailable' });
  });

  it('refuses a token whose claims name an invalid tenant or roles', async () => {
    const verify = createBearerVerifier(settings);
    await expect(verify(await mintToken(SECRET, { actor: 'a', tenant: 'has:colon', roles: [] }))).rejects.toThrow(/"org"/);
    await expect(verify(await mintToken(SECRET, { actor: 'a', tenant: 't1', roles: Array.from({ length: 40 }, (_, i) => `r${i}`) }))).rejects.toThrow(/"roles"/);
  });
});
