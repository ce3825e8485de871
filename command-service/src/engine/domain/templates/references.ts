import { formatInstant, toEpochMillis } from './instant.js';
import { lookupPath } from './path.js';
import { isSecretPath, secretNameOf } from './secrets.js';

export interface TemplateOptions {
  /**
   * The instant `{{now}}` stands for: the timestamp of the event that records the step, passed
   * in so a replay renders the same text. Without it `now` references are missing.
   */
  readonly now?: Date | string;
}

/** What a template path refers to. `secret` references are left to `resolveSecrets`. */
export type Resolution =
  | { readonly status: 'found'; readonly value: unknown }
  | { readonly status: 'missing' }
  | { readonly status: 'invalid' }
  | { readonly status: 'secret'; readonly name: string };

const MISSING: Resolution = { status: 'missing' };
const INVALID: Resolution = { status: 'invalid' };

/** `now_plus_24h`, `now_minus_30m`: offsets from `now` in s, m, h, d (24 h) or w. */
const RELATIVE_NOW = /^now_(plus|minus)_(\d{1,9})([smhdw])$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Resolves one template path. `secrets` and `now` are reserved roots: they never read the
 * context, so an event payload cannot shadow the clock or expose a `secrets` key.
 */
export const resolveReference = (path: string, context: unknown, options: TemplateOptions): Resolution => {
  if (isSecretPath(path)) {
    const name = secretNameOf(path);
    return name === undefined ? INVALID : { status: 'secret', name };
  }
  if (path === 'now') return instantFrom(options, 0);
  if (path.startsWith('now.') || path.startsWith('now[')) return INVALID;
  const relative = RELATIVE_NOW.exec(path);
  if (relative !== null) {
    const sign = relative[1] === 'minus' ? -1 : 1;
    return instantFrom(options, sign * Number(relative[2]) * (UNIT_MS[relative[3] ?? ''] ?? 0));
  }
  return lookupPath(context, path);
};

const instantFrom = (options: TemplateOptions, offsetMs: number): Resolution => {
  const now = toEpochMillis(options.now);
  const text = now === undefined ? undefined : formatInstant(now + offsetMs);
  return text === undefined ? MISSING : { status: 'found', value: text };
};
