import { CronExpressionParser } from 'cron-parser';
import type { CronExpression } from 'cron-parser';

/**
 * Cron schedules: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds
 * first, or one of the classic `@` descriptors. Times are computed in an IANA time zone
 * (UTC by default), so `0 9 * * *` in Europe/Paris follows daylight saving.
 */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export const CRON_DESCRIPTORS: readonly string[] = Object.keys(DESCRIPTORS);

// Digits, names (JAN, MON), lists, ranges, steps and the L/W/#/? extensions.
const FIELD = /^[0-9A-Za-z*/,?#-]+$/;
// Jenkins-style `H` hashes pick an arbitrary minute; not standard cron, so not accepted.
const HASH = /(^|[^A-Za-z])H([^A-Za-z]|$)/;
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** The expression as cron-parser reads it, or an error message for the author. */
function normalise(expression: string): { expression: string } | { error: string } {
  const text = expression.trim();
  if (text.startsWith('@')) {
    const mapped = DESCRIPTORS[text.toLowerCase()];
    return mapped === undefined ? { error: `unknown descriptor; use one of ${CRON_DESCRIPTORS.join(', ')}` } : { expression: mapped };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return { error: 'must have 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first' };
  }
  const bad = fields.find((field) => !FIELD.test(field) || HASH.test(field));
  return bad === undefined ? { expression: fields.join(' ') } : { error: `field "${bad}" is not valid cron syntax` };
}

export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || !ZONE_NAME.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function compile(expression: string, timezone: string, currentDate: Date): CronExpression {
  const normalised = normalise(expression);
  if ('error' in normalised) throw new RangeError(`Invalid cron expression "${expression}": ${normalised.error}`);
  return CronExpressionParser.parse(normalised.expression, { tz: timezone, currentDate });
}

/** Why the schedule cannot be used, or undefined when it is valid (and fires at least once). */
export function cronError(expression: string, timezone = 'UTC'): string | undefined {
  if (typeof expression !== 'string') return 'must be a string';
  const normalised = normalise(expression);
  if ('error' in normalised) return normalised.error;
  if (!isValidTimeZone(timezone)) return `unknown time zone "${timezone}"`;
  try {
    compile(expression, timezone, new Date(Date.UTC(2000, 0, 1))).next();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'is not a valid cron expression';
  }
}

/** The first fire time strictly after `after`. Throws RangeError on an invalid schedule. */
export function nextCronFire(expression: string, after: Date, timezone = 'UTC'): Date {
  return compile(expression, timezone, after).next().toDate();
}

/**
 * The latest fire time at or before `at`, or undefined if none exists. A scheduler coming
 * back after downtime fires this one tick once, not every tick it missed.
 */
export function lastCronFire(expression: string, at: Date, timezone = 'UTC'): Date | undefined {
  const parsed = compile(expression, timezone, new Date(at.getTime() + 1));
  return parsed.hasPrev() ? parsed.prev().toDate() : undefined;
}
