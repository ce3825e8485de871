import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';

export interface KeySetOptions {
  /** Keys are fetched again after this long. */
  readonly cacheSeconds: number;
  /** A token naming an unknown key triggers a fetch at most this often. */
  readonly cooldownSeconds: number;
  readonly timeoutMs?: number;
}

type Resolver = ReturnType<typeof createLocalJWKSet>;

export interface KeySet {
  /** For `jwtVerify`: the public key a token's header names. */
  readonly resolve: (header: JWTHeaderParameters, token: FlattenedJWSInput) => ReturnType<Resolver>;
  /** True when the error means the keys could not be fetched (a 503, not a bad token). */
  readonly isUnavailable: (error: unknown) => boolean;
}

class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('the JWKS document could not be fetched', { cause });
    this.name = 'KeysUnavailable';
  }
}

/**
 * Public keys from a JWKS URL, cached. Rotation: a token signed by a key we have not seen
 * fetches the document again (rate-limited by the cooldown). When a refresh fails, keys we
 * already have keep working until twice the cache age, so a brief outage of the identity
 * provider does not log everybody out.
 */
export function createKeySet(url: string, options: KeySetOptions): KeySet {
  const timeoutMs = options.timeoutMs ?? 5_000;
  let local: Resolver | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  const age = (): number => Date.now() - fetchedAt;
  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      attemptedAt = Date.now();
      try {
        const response = await fetch(url, { headers: { accept: 'application/json, application/jwk-set+json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
        if (response.status !== 200) throw new Error(`JWKS answered ${response.status}`);
        local = createLocalJWKSet((await response.json()) as JSONWebKeySet);
        fetchedAt = Date.now();
      } catch (error) {
        // Stale keys are better than none, for a while.
        if (!local || age() > 2 * options.cacheSeconds * 1000) throw new KeysUnavailable(error);
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  return {
    resolve: async (header, token) => {
      if (!local || age() > options.cacheSeconds * 1000) await refresh();
      try {
        return await (local as Resolver)(header, token);
      } catch (error) {
        const cooled = Date.now() - attemptedAt > options.cooldownSeconds * 1000;
        if (!(error instanceof joseErrors.JWKSNoMatchingKey) || !cooled) throw error;
        await refresh();
        return (local as Resolver)(header, token);
      }
    },
    isUnavailable: (error) => error instanceof KeysUnavailable,
  };
}
