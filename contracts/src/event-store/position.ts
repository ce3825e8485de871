import type { LogPosition } from './types.js';

export const START: LogPosition = { commit: 0n, prepare: 0n };

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function maxPosition(a: LogPosition, b: LogPosition): LogPosition {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** The wire form clients see and pass back; they treat it as opaque. */
export function formatPosition(position: LogPosition): string {
  return `${position.commit.toString(36)}-${position.prepare.toString(36)}`;
}

const POSITION_PATTERN = /^([0-9a-z]{1,13})-([0-9a-z]{1,13})$/;

/** Parses the wire form; undefined when it is not one this service issued. */
export function parsePosition(text: string): LogPosition | undefined {
  const match = POSITION_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const commit = parseBase36(match[1]);
  const prepare = parseBase36(match[2]);
  if (commit === undefined || prepare === undefined) return undefined;
  return { commit, prepare };
}

function parseBase36(digits: string): bigint | undefined {
  let value = 0n;
  for (const digit of digits) {
    const n = Number.parseInt(digit, 36);
    if (Number.isNaN(n)) return undefined;
    value = value * 36n + BigInt(n);
  }
  return value <= 0xffff_ffff_ffff_ffffn ? value : undefined;
}
