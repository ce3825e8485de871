import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { DomainError, isValidId, type Principal } from '@iwf/contracts';

export interface JwtSettings {
  readonly secret: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly clockSkewSeconds: number;
}

/** Verifies a bearer token and returns the principal it names; any failure is a 401. */
export async function verifyBearer(token: string, settings: JwtSettings): Promise<Principal> {
  if (!settings.secret) throw new DomainError('unauthenticated', 'Bearer tokens are not accepted: no signing key is configured.');
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(settings.secret), {
      algorithms: ['HS256'],
      clockTolerance: settings.clockSkewSeconds,
      requiredClaims: ['sub', 'org', 'exp'],
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
      ...(settings.audience ? { audience: settings.audience } : {}),
    });
    return principalFromClaims(payload);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('unauthenticated', describeJoseError(error), [], 'invalid-token');
  }
}

function principalFromClaims(claims: Record<string, unknown>): Principal {
  const { sub, org, roles } = claims;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) throw invalidClaim('sub');
  if (typeof org !== 'string' || !isValidId(org)) throw invalidClaim('org');
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string'))) throw invalidClaim('roles');
  return { actor: sub, tenant: org, roles: roles ?? [] };
}

function invalidClaim(claim: string): DomainError {
  return new DomainError('unauthenticated', `The token's "${claim}" claim is missing or invalid.`, [], 'invalid-token');
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token's "${error.claim}" claim is not acceptable.`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not accepted.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid.';
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
