import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, bodyOf, type Reply } from '../runtime/testing/http.js';
import { TEST_JWT_SECRET, startTestSystem, type TestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';
import { signHmac, signWith, signingKey, startJwksServer, unsigned, type Claims, type JwksServer } from './testing/jwks-server.js';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'iwf-api';
const SKEW = 30;

let system: TestSystem;
let jwks: JwksServer;
const rsa = signingKey('rsa-1', 'RS256');
const ec = signingKey('ec-1', 'ES256');
const stranger = signingKey('rsa-1', 'RS256');

beforeAll(async () => {
  jwks = await startJwksServer();
  jwks.publish([rsa, ec]);
  system = await startTestSystem('tokens', {
    env: { JWT_JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_CLOCK_SKEW_SECONDS: String(SKEW), JWT_JWKS_COOLDOWN_SECONDS: '0' },
  });
});

afterAll(async () => {
  await system?.close();
  await jwks?.close();
});

const now = (): number => Math.floor(Date.now() / 1000);
const claims = (extra: Claims = {}): Claims => ({ sub: 'token-user', org: system.tenant('tokens'), roles: ['admin'], iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, ...extra });

let serial = 0;
/** A read and a write with the token: the write would append if it were accepted. */
async function tryToken(token: string): Promise<{ read: Reply; write: Reply; appended: number }> {
  const client = apiClient(system.app, token);
  const before = await system.eventCount();
  const read = await client.get('/workflows');
  const write = await client.post('/workflows', legacyWorkflow(`token-probe-${(serial += 1)}`));
  return { read, write, appended: (await system.eventCount()) - before };
}

async function expectRefused(token: string, detail: RegExp): Promise<void> {
  const { read, write, appended } = await tryToken(token);
  for (const reply of [read, write]) {
    expect(reply.statusCode, reply.body).toBe(401);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(String(bodyOf(reply)['detail'])).toMatch(detail);
  }
  expect(appended).toBe(0);
}

async function expectAccepted(token: string): Promise<void> {
  const { read, write } = await tryToken(token);
  expect(read.statusCode, read.body).toBe(200);
  expect(write.statusCode, write.body).toBe(201);
}

describe('accepted tokens', () => {
  it('HS256 with the shared secret, RS256 and ES256 with keys from the JWKS URL', async () => {
    await expectAccepted(signHmac(TEST_JWT_SECRET, claims()));
    await expectAccepted(signWith(rsa, claims()));
    await expectAccepted(signWith(ec, claims()));
  });

  it('expiry and not-before within the clock skew', async () => {
    await expectAccepted(signWith(rsa, claims({ exp: now() - SKEW / 3 })));
    await expectAccepted(signWith(rsa, claims({ nbf: now() + SKEW / 3 })));
  });
});

describe('refused tokens: 401, nothing appended', () => {
  it('expired beyond the skew', () => expectRefused(signWith(rsa, claims({ exp: now() - SKEW - 60 })), /expired/));
  it('not yet valid beyond the skew', () => expectRefused(signWith(rsa, claims({ nbf: now() + SKEW + 60 })), /not valid yet/));
  it('without an expiry', () => expectRefused(signWith(rsa, claims({ exp: undefined })), /"exp"/));
  it('from another issuer', () => expectRefused(signWith(rsa, claims({ iss: 'https://evil.example.test' })), /"iss"/));
  it('for another audience', () => expectRefused(signWith(rsa, claims({ aud: 'another-api' })), /"aud"/));
  it('unsigned (alg none)', () => expectRefused(unsigned(claims()), /not accepted/));
  it('signed with an algorithm that is not accepted (HS512 with the right secret)', () => expectRefused(signHmac(TEST_JWT_SECRET, claims(), {}, 'sha512'), /not accepted/));
  it('HS256 keyed with the public key (algorithm confusion)', () => expectRefused(signHmac(JSON.stringify(rsa.publicJwk), claims(), { kid: rsa.kid }), /signature/));
  it('HS256 with another secret', () => expectRefused(signHmac('another-secret-that-is-long-enough-0123456789', claims()), /signature/));
  it('RS256 signed by a key the JWKS does not publish, under a published kid', () => expectRefused(signWith(stranger, claims()), /signature/));
  it('with a tampered signature', async () => {
    const token = signWith(rsa, claims());
    const [header, payload, signature = ''] = token.split('.');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    await expectRefused(`${header}.${payload}.${flipped}`, /signature/);
  });
  it('with claims changed after signing', async () => {
    const [header, , signature] = signWith(rsa, claims({ roles: ['workflow_viewer'] })).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ roles: ['admin'] }))).toString('base64url');
    await expectRefused(`${header}.${forged}.${signature}`, /signature/);
  });
  it('garbage', () => expectRefused('not.a.token', /malformed/));
});

describe('key rotation', () => {
  it('accepts a new key as soon as the JWKS publishes it and refuses a withdrawn one', async () => {
    const next = signingKey('rsa-2', 'RS256');
    await expectRefused(signWith(next, claims()), /not published/);
    jwks.publish([next, ec]);
    await expectAccepted(signWith(next, claims()));
    await expectRefused(signWith(rsa, claims()), /not published/);
  });

  it('keeps the keys it has while the JWKS URL is failing', async () => {
    jwks.fail(true);
    try {
      await expectAccepted(signWith(ec, claims()));
      await expectRefused(signWith(signingKey('rsa-3', 'RS256'), claims()), /not published/);
    } finally {
      jwks.fail(false);
    }
  });
});
