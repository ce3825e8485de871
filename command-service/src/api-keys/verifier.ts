import { timingSafeEqual } from 'node:crypto';
import type { ApiKeyEvent, EventStore, Principal } from '@iwf/contracts';
import { API_KEY_EVENT_TYPES, DomainError, streamId, upcastRecorded } from '@iwf/contracts';
import { apiKeyActor, hashApiKey, parseApiKey, type ApiKeyVerifier } from '@iwf/platform/auth/api-key';
import { evolveApiKey, initialApiKeyState, type ApiKeyState } from './domain/decider.js';

const KNOWN = new Set<string>(API_KEY_EVENT_TYPES);

/**
 * Checks an `X-API-Key` against its own stream in the log, on every request: the log is the
 * one place a revocation is visible the moment it is answered, on every replica. Unknown,
 * revoked and wrong keys get the same answer, so the 401 tells an attacker nothing.
 */
export function createApiKeyVerifier(store: Pick<EventStore, 'readStream'>, clock: () => Date): ApiKeyVerifier {
  return async (key): Promise<Principal> => {
    const parts = parseApiKey(key);
    if (!parts) throw invalid();
    const recorded = await store.readStream(streamId('api_key', parts.tenant, parts.keyId));
    let state: ApiKeyState = initialApiKeyState;
    for (const event of recorded) if (KNOWN.has(event.type)) state = evolveApiKey(state, upcastRecorded(event) as unknown as ApiKeyEvent);
    if (state.status !== 'active' || !sameHash(hashApiKey(key), state.key_hash)) throw invalid();
    if (Date.parse(state.expires_at) <= clock().getTime()) throw new DomainError('unauthenticated', 'The API key has expired.', [], 'invalid-api-key');
    return { actor: apiKeyActor(parts.keyId), tenant: parts.tenant, roles: state.roles };
  };
}

function sameHash(actual: string, stored: string): boolean {
  const a = Buffer.from(actual, 'hex');
  const b = Buffer.from(stored, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function invalid(): DomainError {
  return new DomainError('unauthenticated', 'The API key is not valid.', [], 'invalid-api-key');
}
