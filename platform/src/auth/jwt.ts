import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { DomainError, isValidId, type Principal } from '@iwf/contracts';
import { createKeySet, type KeySet } from './jwks.js';

export interface JwtSettings {
  /** HS256 shared secret; undefined refuses HS256 tokens. */
  readonly secret: string | undefined;
  /** RS256/ES256 public keys come from this JWKS document; undefined refuses those tokens. */
  readonly jwksUrl?: string | undefined;
  /** How long fetched keys are trusted before the document is fetched again. */
  readonly jwksCacheSeconds?: number | undefined;
  /** A token naming an unknown key fetches the document again, at most this often (key rotation). */
  readonly jwksCooldownSeconds?: number | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** Bounded tolerance for exp, nbf and iat between our clock and the issuer's. */
  readonly clockSkewSeconds: number;
}

export type BearerVerifier = (token: string) => Promise<Principal>;

const ASYMMETRIC = ['RS256', 'ES256'];
const MAX_ROLES = 32;

/** A verifier holding its own key cache; build one per process (or per app) and reuse it. */
export function createBearerVerifier(settings: JwtSettings): BearerVerifier {
  const secret = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const keySet: KeySet | undefined = settings.jwksUrl
    ? createKeySet(settings.jwksUrl, { cacheSeconds: settings.jwksCacheSeconds ?? 600, cooldownSeconds: settings.jwksCooldownSeconds ?? 30 })
    : undefined;
  const options: JWTVerifyOptions = {
    clockTolerance: settings.clockSkewSeconds,
    requiredClaims: ['sub', 'org', 'exp'],
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
  };
  if (!secret && !keySet) {
    return () => Promise.reject(new DomainError('unauthenticated', 'Bearer tokens are not accepted: no signing key is configured.'));
  }
  return async (token) => {
    const alg = algorithmOf(token);
    try {
      // The header's alg only picks the key source; each source pins its own algorithms, so
      // an HMAC token can never be checked against a public key or the reverse.
      if (alg === 'HS256' && secret) return principalFromClaims((await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload);
      if (ASYMMETRIC.includes(alg) && keySet) return principalFromClaims((await jwtVerify(token, keySet.resolve, { ...options, algorithms: ASYMMETRIC })).payload);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (keySet?.isUnavailable(error)) throw new DomainError('unavailable', 'The token signing keys cannot be fetched right now; retry shortly.', [], 'jwks-unavailable');
      throw new DomainError('unauthenticated', describeJoseError(error), [], 'invalid-token');
    }
    throw new DomainError('unauthenticated', `Tokens signed with ${alg || 'no algorithm'} are not accepted.`, [], 'invalid-token');
  };
}

// One verifier per settings object, so callers holding only settings still share a key cache.
const verifiers = new WeakMap<JwtSettings, BearerVerifier>();

/** Verifies a bearer token and returns the principal it names; any failure is a 401. */
export async function verifyBearer(token: string, settings: JwtSettings): Promise<Principal> {
  let verifier = verifiers.get(settings);
  if (!verifier) {
    verifier = createBearerVerifier(settings);
    verifiers.set(settings, verifier);
  }
  return verifier(token);
}

function algorithmOf(token: string): string {
  try {
    const { alg } = decodeProtectedHeader(token);
    return typeof alg === 'string' ? alg : '';
  } catch {
    throw new DomainError('unauthenticated', 'The token is malformed or invalid.', [], 'invalid-token');
  }
}

function principalFromClaims(claims: JWTPayload): Principal {
  const { sub, roles } = claims;
  const org = claims['org'];
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) throw invalidClaim('sub');
  if (typeof org !== 'string' || !isValidId(org)) throw invalidClaim('org');
  if (roles !== undefined && !isRoleList(roles)) throw invalidClaim('roles');
  return { actor: sub, tenant: org, roles: roles ?? [] };
}

function isRoleList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_ROLES && value.every((role) => typeof role === 'string' && role.length > 0 && role.length <= 64);
}

function invalidClaim(claim: string): DomainError {
  return new DomainError('unauthenticated', `The token's "${claim}" claim is missing or invalid.`, [], 'invalid-token');
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.claim === 'nbf' ? 'The token is not valid yet.' : `The token's "${error.claim}" claim is not acceptable.`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not accepted.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid.';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token names a signing key that is not published.';
  return 'The token is malformed or invalid.';
}

export interface MintOptions {
  readonly actor: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  readonly expiresIn?: string;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

/** Mints an HS256 token (the dev command and tests use it). */
export async function mintToken(secret: string, options: MintOptions): Promise<string> {
  let jwt = new SignJWT({ org: options.tenant, roles: [...options.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.actor)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
