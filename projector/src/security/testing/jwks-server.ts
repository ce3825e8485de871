import { createHmac, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test-side JWT signing with node:crypto alone, so a token can be built wrong on purpose
 * (any header, any claims, any algorithm) without a library refusing to.
 */
export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
}

export function signingKey(kid: string, alg: SigningKey['alg']): SigningKey {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey: pair.privateKey, publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export type Claims = Readonly<Record<string, unknown>>;

/** header.claims.signature, signed with the key's algorithm (the header may claim another). */
export function signWith(key: SigningKey, claims: Claims, header: Claims = {}): string {
  const input = `${part({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })}.${part(claims)}`;
  const signature = key.alg === 'RS256' ? sign('sha256', Buffer.from(input), key.privateKey) : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export function signHmac(secret: string | Buffer, claims: Claims, header: Claims = {}, hash: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${part({ alg: hash === 'sha256' ? 'HS256' : 'HS512', typ: 'JWT', ...header })}.${part(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

export function unsigned(claims: Claims): string {
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** A JWKS endpoint on a free local port whose key list (and health) a test changes at will. */
export interface JwksServer {
  readonly url: string;
  publish(keys: readonly SigningKey[]): void;
  /** Answer 500 from now on (the identity provider is down), or recover. */
  fail(down: boolean): void;
  fetches(): number;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  let keys: JsonWebKey[] = [];
  let down = false;
  let fetches = 0;
  const server: Server = createServer((_request, response) => {
    fetches += 1;
    if (down) return void response.writeHead(500).end();
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    publish: (next) => void (keys = next.map((key) => key.publicJwk)),
    fail: (value) => void (down = value),
    fetches: () => fetches,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
