import type { FastifyReply } from 'fastify';
import { DomainError, formatPosition, type LogPosition } from '@iwf/contracts';

export const LOG_POSITION_HEADER = 'x-log-position';
export const MIN_POSITION_HEADER = 'x-min-position';
export const MAX_WAIT_HEADER = 'x-max-wait-ms';

export function setLogPosition(reply: FastifyReply, position: LogPosition | undefined): string | null {
  if (!position) return null;
  const text = formatPosition(position);
  void reply.header(LOG_POSITION_HEADER, text);
  return text;
}

/**
 * `X-Max-Wait-Ms`: absent, the default; whole milliseconds, at most `limitMs` (a longer wish is
 * cut to it); anything else is a 400, on reads and on `POST /events?wait=true` alike.
 */
export function maxWaitMs(header: string | string[] | undefined, defaultMs: number, limitMs: number): number {
  if (header === undefined) return defaultMs;
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) {
    throw new DomainError('validation', 'X-Max-Wait-Ms must be a whole number of milliseconds.', [{ pointer: `/headers/${MAX_WAIT_HEADER}`, message: 'is invalid' }]);
  }
  return Math.min(Number(header), limitMs);
}
