/**
 * Strict ISO-8601 / RFC 3339 instants, parsed without `Date.parse` so the result never depends
 * on the host's time zone: `2026-03-01` (UTC midnight), `2026-03-01T10:00`,
 * `2026-03-01T10:00:00.123Z`, `2026-03-01 10:00:00+02:00`. No offset means UTC. Precision is the
 * millisecond; further fraction digits are ignored.
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

const MS_PER_MINUTE = 60_000;

/** Epoch milliseconds of an ISO-8601 instant, or undefined if the text is not one. */
export const parseIsoInstant = (text: string): number | undefined => {
  const match = ISO_INSTANT.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? '0')) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = offsetMinutes(match[8]);
  if (offset === undefined) return undefined;
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = new Date(0);
  // setUTCFullYear keeps years 0-99 literal, which Date.UTC would shift to 1900-1999.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offset * MS_PER_MINUTE;
};

/** A caller-supplied `now` as epoch milliseconds; an invalid one counts as absent. */
export const toEpochMillis = (now: Date | string | undefined): number | undefined => {
  if (now === undefined) return undefined;
  const millis = typeof now === 'string' ? parseIsoInstant(now) : now.getTime();
  return millis !== undefined && Number.isFinite(millis) ? millis : undefined;
};

/** ISO text of an instant, or undefined outside the range a Date can hold. */
export const formatInstant = (millis: number): string | undefined => {
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

const offsetMinutes = (zone: string | undefined): number | undefined => {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
};

const daysInMonth = (year: number, month: number): number => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return lengths[month - 1] ?? 0;
};
