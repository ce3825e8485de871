import type { FastifyReply } from 'fastify';
import { formatPosition, type LogPosition } from '@iwf/contracts';

export const LOG_POSITION_HEADER = 'x-log-position';
export const MIN_POSITION_HEADER = 'x-min-position';
export const MAX_WAIT_HEADER = 'x-max-wait-ms';

export function setLogPosition(reply: FastifyReply, position: LogPosition | undefined): string | null {
  if (!position) return null;
  const text = formatPosition(position);
  void reply.header(LOG_POSITION_HEADER, text);
  return text;
}
