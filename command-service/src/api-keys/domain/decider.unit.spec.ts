import { describe, expect, it } from 'vitest';
import type { ApiKeyEvent } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';
import { apiKeyDecider, type ApiKeyCommand } from './decider.js';

const NOW = '2030-01-01T00:00:00.000Z';
const issue: ApiKeyCommand = {
  type: 'IssueApiKey',
  data: { key_id: 'a'.repeat(32), name: 'storefront', roles: ['agent'], expires_at: '2030-04-01T00:00:00.000Z', key_hash: 'f'.repeat(64), now: NOW },
};
const revoke: ApiKeyCommand = { type: 'RevokeApiKey', data: { key_id: 'a'.repeat(32), reason: 'leaked', now: NOW } };

/** given events, when a command: the events it decides (or the error it throws). */
function when(given: readonly ApiKeyEvent[], command: ApiKeyCommand): ApiKeyEvent[] {
  const state = given.reduce(apiKeyDecider.evolve, apiKeyDecider.initialState);
  return apiKeyDecider.decide(command, state);
}

const issued = when([], issue);

describe('API key decider', () => {
  it('issues a key with its hash, roles and expiry, never the key itself', () => {
    expect(issued).toEqual([{ type: 'ApiKeyIssued', data: { key_id: 'a'.repeat(32), name: 'storefront', roles: ['agent'], expires_at: '2030-04-01T00:00:00.000Z', key_hash: 'f'.repeat(64), at: NOW } }]);
  });

  it('refuses to issue the same key id twice, or a key already expired', () => {
    expect(() => when(issued, issue)).toThrow(DomainError);
    expect(() => when([], { ...issue, data: { ...issue.data, expires_at: NOW } })).toThrow(/future/);
  });

  it('revokes an active key once; revoking again appends nothing', () => {
    const revoked = when(issued, revoke);
    expect(revoked).toEqual([{ type: 'ApiKeyRevoked', data: { key_id: 'a'.repeat(32), reason: 'leaked', at: NOW } }]);
    expect(when([...issued, ...revoked], revoke)).toEqual([]);
    expect(apiKeyDecider.initialState).toEqual({ status: 'absent' });
  });

  it('cannot revoke a key that was never issued', () => {
    expect(() => when([], revoke)).toThrow(expect.objectContaining({ code: 'not_found' }) as Error);
  });
});
