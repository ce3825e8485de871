import { readFileSync } from 'node:fs';
import { listSecretRefs, resolveSecrets } from '../domain/templates/index.js';
import { mapJsonStrings } from '../domain/json.js';

/**
 * Where `{{secrets.NAME}}` values come from, consulted only while a request is being sent:
 * the environment variable `IWF_SECRET_<NAME>` (upper-cased, other characters as `_`), else
 * the JSON object in `SECRETS_FILE` (re-read when it changes, so rotation needs no restart).
 */
export interface SecretStore {
  lookup(name: string): string | undefined;
}

export function createSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  let cached: { readonly path: string; readonly text: string; readonly values: Readonly<Record<string, unknown>> } | undefined;
  const fileValues = (): Readonly<Record<string, unknown>> => {
    const path = env['SECRETS_FILE'];
    if (path === undefined || path === '') return {};
    const text = readFileSync(path, 'utf8');
    if (cached?.path !== path || cached.text !== text) {
      const parsed: unknown = JSON.parse(text);
      cached = { path, text, values: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {} };
    }
    return cached.values;
  };
  return {
    lookup(name) {
      const fromEnv = env[`IWF_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      const value = fileValues()[name];
      return typeof value === 'string' ? value : undefined;
    },
  };
}

export type Resolved<T> = { readonly ok: true; readonly value: T; readonly scrub: Scrubber } | { readonly ok: false; readonly missing: readonly string[] };

/** Removes the secret values a request used from text that could end up recorded (answers, errors). */
export type Scrubber = <V>(value: V) => V;

const REDACTED = '[redacted]';

/** Resolves the request's secret markers and gives a scrubber for everything derived from sending it. */
export function withSecrets<T>(request: T, secrets: SecretStore): Resolved<T> {
  const names = listSecretRefs(request);
  if (names.length === 0) return { ok: true, value: request, scrub: (value) => value };
  const resolved = resolveSecrets(request, (name) => secrets.lookup(name));
  if (!resolved.ok) return { ok: false, missing: resolved.missing };
  const values = names.map((name) => secrets.lookup(name)).filter((value): value is string => value !== undefined && value.length >= 4);
  const scrubText = (text: string): string => values.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
  const scrub: Scrubber = <V>(value: V): V => mapJsonStrings(value, (text) => scrubText(text)) as V;
  return { ok: true, value: resolved.value as T, scrub };
}

