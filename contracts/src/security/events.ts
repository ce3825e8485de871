import type { EventDefinition } from '../events/registry.js';

/**
 * Stream `api_key:<tenant>:<key_id>`. The key itself is never stored: only its SHA-256 hash,
 * compared when a request presents the key.
 */
export type ApiKeyIssued = {
  readonly type: 'ApiKeyIssued';
  readonly data: {
    readonly key_id: string;
    readonly name: string;
    /** The roles a request authenticated with this key has (its scopes). */
    readonly roles: readonly string[];
    readonly expires_at: string;
    /** Hex SHA-256 of the whole key string. */
    readonly key_hash: string;
    readonly at: string;
  };
};

export type ApiKeyRevoked = {
  readonly type: 'ApiKeyRevoked';
  readonly data: { readonly key_id: string; readonly reason: string | null; readonly at: string };
};

export type ApiKeyEvent = ApiKeyIssued | ApiKeyRevoked;
export const API_KEY_EVENT_TYPES = ['ApiKeyIssued', 'ApiKeyRevoked'] as const satisfies readonly ApiKeyEvent['type'][];

/**
 * Stream `access:<tenant>:denied-<yyyy-mm-dd>`: a request an authenticated principal was not
 * allowed to make (a 403). The event's metadata names the actor too.
 */
export type AccessDenied = {
  readonly type: 'AccessDenied';
  readonly data: {
    readonly actor: string;
    readonly roles: readonly string[];
    /** The permission the route needs, or the route itself when a handler refused. */
    readonly action: string;
    readonly method: string;
    /** The route pattern (`/api/v1/workflows/:workflow_id`), never the raw URL. */
    readonly route: string;
    readonly reason: string;
    readonly at: string;
  };
};

export const ACCESS_EVENT_TYPES = ['AccessDenied'] as const satisfies readonly AccessDenied['type'][];

export const SECURITY_EVENT_DEFINITIONS: readonly EventDefinition[] = [...API_KEY_EVENT_TYPES, ...ACCESS_EVENT_TYPES].map((type) => ({
  type,
  schema_version: 1,
}));
