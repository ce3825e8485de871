/**
 * Scrubs credentials from what is about to be logged, wherever they sit: values under keys
 * that name a secret (at any depth), bearer tokens and JWTs inside strings, and secret query
 * parameters in URLs. Only plain objects and arrays are walked (errors keep their shape).
 */
export const CENSOR = '[redacted]';

const SECRET_KEY = /(^|[-_])pass(wd|word|phrase)?($|[-_])|password|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key|signature/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g;
// Stops at quotes and backslashes too, so it also applies to a whole JSON line.
const SECRET_PARAM = /([?&](?:[a-z_]*token|api[-_]?key|apikey|key|secret|password|signature|code)=)[^&#\s"\\]*/gi;
const MAX_DEPTH = 12;

export function redactSecrets<T>(value: T): T {
  return walk(value, 0) as T;
}

export function redactString(text: string): string {
  return text.replace(JWT, CENSOR).replace(BEARER, `$1 ${CENSOR}`).replace(SECRET_PARAM, `$1${CENSOR}`);
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
  if (!isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEY.test(key) && item !== null && item !== undefined ? CENSOR : walk(item, depth + 1);
  return out;
}

function isPlain(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
