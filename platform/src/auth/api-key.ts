import { createHash, randomBytes } from 'node:crypto';
import { isValidId, type Principal } from '@iwf/contracts';

/**
 * An API key reads `iwf.<tenant, base64url>.<key id>.<secret>`. The tenant and key id name
 * the key's stream, so checking a key is one read of the log (never a read model that may lag
 * behind a revocation); the secret is 32 random bytes, so a plain SHA-256 of the whole key is
 * a safe thing to store.
 */
export interface ApiKeyParts {
  readonly tenant: string;
  readonly keyId: string;
}

export type ApiKeyVerifier = (key: string) => Promise<Principal>;

const KEY_ID = /^[0-9a-f]{32}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const MAX_KEY_LENGTH = 512;

export function newApiKey(tenant: string): { readonly key: string; readonly keyId: string } {
  const keyId = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `iwf.${Buffer.from(tenant).toString('base64url')}.${keyId}.${secret}`, keyId };
}

export function parseApiKey(key: string): ApiKeyParts | undefined {
  if (key.length > MAX_KEY_LENGTH) return undefined;
  const [prefix, encodedTenant, keyId, secret, ...rest] = key.split('.');
  if (prefix !== 'iwf' || rest.length > 0 || !encodedTenant || !keyId || !secret) return undefined;
  if (!KEY_ID.test(keyId) || !SECRET.test(secret)) return undefined;
  const tenant = Buffer.from(encodedTenant, 'base64url').toString('utf8');
  return isValidId(tenant) ? { tenant, keyId } : undefined;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The actor an API key's requests are recorded as. */
export const apiKeyActor = (keyId: string): string => `api-key:${keyId}`;
