import type { ApiKeyEvent } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';

/** The API key aggregate (stream `api_key:<tenant>:<key_id>`): issued once, revoked once. */
export type ApiKeyState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'revoked';
      readonly key_id: string;
      readonly name: string;
      readonly roles: readonly string[];
      readonly expires_at: string;
      readonly key_hash: string;
    };

export type ApiKeyCommand =
  | {
      readonly type: 'IssueApiKey';
      readonly data: { readonly key_id: string; readonly name: string; readonly roles: readonly string[]; readonly expires_at: string; readonly key_hash: string; readonly now: string };
    }
  | { readonly type: 'RevokeApiKey'; readonly data: { readonly key_id: string; readonly reason: string | null; readonly now: string } };

export const initialApiKeyState: ApiKeyState = { status: 'absent' };

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyIssued': {
      const { key_id, name, roles, expires_at, key_hash } = event.data;
      return { status: 'active', key_id, name, roles, expires_at, key_hash };
    }
    case 'ApiKeyRevoked':
      return state.status === 'active' ? { ...state, status: 'revoked' } : state;
  }
}

/** Revoking twice appends nothing the second time: DELETE stays idempotent. */
export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  switch (command.type) {
    case 'IssueApiKey': {
      if (state.status !== 'absent') throw new DomainError('conflict', `API key ${command.data.key_id} already exists.`);
      const { key_id, name, roles, expires_at, key_hash, now } = command.data;
      if (Date.parse(expires_at) <= Date.parse(now)) {
        throw new DomainError('validation', 'An API key must expire in the future.', [{ pointer: '/expires_at', message: 'is not in the future' }]);
      }
      return [{ type: 'ApiKeyIssued', data: { key_id, name, roles: [...roles], expires_at, key_hash, at: now } }];
    }
    case 'RevokeApiKey': {
      if (state.status === 'absent') throw new DomainError('not_found', `No API key ${command.data.key_id}.`, [], 'api-key-not-found');
      if (state.status === 'revoked') return [];
      const { key_id, reason, now } = command.data;
      return [{ type: 'ApiKeyRevoked', data: { key_id, reason, at: now } }];
    }
  }
}

export const apiKeyDecider = { initialState: initialApiKeyState, evolve: evolveApiKey, decide: decideApiKey };
