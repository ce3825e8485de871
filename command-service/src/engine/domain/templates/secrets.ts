import type { JsonValue } from '../json.js';
import { mapJsonStrings, someJsonString } from '../json.js';

/**
 * `{{secrets.NAME}}` is never resolved by rendering: the rendered value carries a marker instead,
 * and the sender calls `resolveSecrets` just before the request leaves, so secrets never reach
 * an event, a log line or a read model.
 *
 * The marker is `U+FDD0 secrets.NAME U+FDD1`. U+FDD0/U+FDD1 are Unicode noncharacters (reserved
 * for internal use); rendering replaces them by U+FFFD in every other string it produces, so a
 * context value or definition text can never forge a marker and pull a secret into a request.
 */
const OPEN = '\uFDD0';
const CLOSE = '\uFDD1';
const MARKER_CHARACTERS = /[\uFDD0\uFDD1]/g;
const MARKER = /\uFDD0secrets\.([A-Za-z0-9_-]{1,128})\uFDD1/;
const MARKERS = new RegExp(MARKER.source, 'g');
const SECRET_PATH = /^secrets\.([A-Za-z0-9_-]{1,128})$/;

export type SecretLookup = (name: string) => string | undefined;

export type SecretResolution =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly missing: readonly string[] };

/** The secret name if the path is a well-formed `secrets.NAME` reference. */
export const secretNameOf = (path: string): string | undefined => SECRET_PATH.exec(path)?.[1];

/** True when the path is under the reserved `secrets` root (well-formed or not). */
export const isSecretPath = (path: string): boolean => path === 'secrets' || /^secrets[.[]/.test(path);

export const secretMarker = (name: string): string => `${OPEN}secrets.${name}${CLOSE}`;

/** Neutralises marker characters in text that did not come from a secret reference. */
export const neutraliseMarkers = (text: string): string => text.replace(MARKER_CHARACTERS, '\uFFFD');

/** Whether a rendered value still holds secret references (so it must go through resolveSecrets). */
export const containsSecretRefs = (value: unknown): boolean => someJsonString(value, (text) => MARKER.test(text));

/** The distinct secret names referenced by a rendered value, sorted. */
export const listSecretRefs = (value: unknown): readonly string[] => {
  const names = new Set<string>();
  someJsonString(value, (text) => {
    for (const match of text.matchAll(MARKERS)) names.add(match[1] ?? '');
    return false;
  });
  return [...names].sort();
};

/**
 * Substitutes every secret marker of a rendered value. Fails, listing the names, if any secret
 * is unknown, so a request is never sent with a hole where a credential should be.
 */
export const resolveSecrets = (value: unknown, lookup: SecretLookup): SecretResolution => {
  const missing = new Set<string>();
  const resolved = mapJsonStrings(value, (text) =>
    text.replace(MARKERS, (_marker, name: string) => {
      const secret = lookup(name);
      if (secret === undefined) missing.add(name);
      return secret ?? '';
    }),
  );
  return missing.size === 0 ? { ok: true, value: resolved } : { ok: false, missing: [...missing].sort() };
};
