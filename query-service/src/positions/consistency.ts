import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import { DomainError, parsePosition, type LogPosition } from '@iwf/contracts';
import { LOG_POSITION_HEADER, MAX_WAIT_HEADER, MIN_POSITION_HEADER, maxWaitMs, setLogPosition } from '@iwf/platform/http/positions';
import type { LogReach } from './log.js';
import type { PositionWatcher } from './watcher.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The read models a route reads; its answers wait for and report their position. */
    readModels?: readonly string[];
    /** The route reads the event log itself (audit): its answers wait for and report the log's reach. */
    readsLog?: boolean;
  }
  interface FastifyRequest {
    /**
     * Set when the read waited for a position. Such reads skip the cache: the checkpoint is
     * visible a moment before the projector's cache writes land, and a read-your-writes answer
     * must come from the committed read model.
     */
    minPosition: LogPosition | undefined;
    /**
     * The read models' position as the handler began: what `X-Log-Position` reports. Taken
     * after any wait and before the read, so the answer holds at least what it claims; taken
     * when sending, a checkpoint committed during the read would be claimed for older data.
     */
    logPosition: LogPosition | undefined;
  }
}

const MAX_WAIT_LIMIT_MS = 10_000;

/** Query-string fields every read accepts (the header forms take precedence). */
export const ConsistencyQuery = {
  min_position: Type.Optional(Type.String({ maxLength: 40, description: 'Wait until the read models reach this position (or send X-Min-Position).' })),
};

/** What a route reads, as far as positions go: how far it has got, and a bounded wait for more. */
interface Source {
  readonly what: string;
  current(): LogPosition | undefined | Promise<LogPosition | undefined>;
  /** Without waiting on a query: what an answer refused before its handler reports. */
  known(): LogPosition | undefined;
  waitFor(min: LogPosition, timeoutMs: number): Promise<boolean>;
}

/**
 * Read-your-writes: a read with `X-Min-Position` waits (bounded) until what it reads (its
 * read models, or the log for audit) has reached that position, else 503 projection-behind;
 * every read reports `X-Log-Position`.
 */
export const consistencyPlugin = fp<{ watcher: PositionWatcher; log?: LogReach; defaultWaitMs: number }>(
  async (app: FastifyInstance, { watcher, log, defaultWaitMs }) => {
    const sourceOf = (request: FastifyRequest): Source | undefined => {
      const { readModels, readsLog } = request.routeOptions.config;
      if (readModels) {
        const current = (): LogPosition | undefined => watcher.current(readModels);
        return { what: 'The read models have', current, known: current, waitFor: (min, timeoutMs) => watcher.waitFor(readModels, min, timeoutMs) };
      }
      if (!readsLog || !log) return undefined;
      return { what: 'The event log has', ...log };
    };
    app.decorateRequest('minPosition', undefined);
    app.decorateRequest('logPosition', undefined);
    app.addHook('preHandler', async (request, reply) => {
      const source = sourceOf(request);
      if (!source) return;
      const min = minPosition(request);
      // Checked whether or not there is a position to wait for: a malformed value is a 400 either way.
      const waitMs = maxWaitMs(request.headers[MAX_WAIT_HEADER], defaultWaitMs, MAX_WAIT_LIMIT_MS);
      if (min) {
        request.minPosition = min;
        if (!(await source.waitFor(min, waitMs))) {
          void reply.header('retry-after', '1');
          throw new DomainError('unavailable', `${source.what} not reached the requested position within ${waitMs} ms.`, [], 'projection-behind');
        }
      }
      request.logPosition = await source.current();
    });
    app.addHook('onSend', async (request, reply, payload) => {
      // A request refused before its handler (validation, a wait that ran out) reports what is
      // known: sending never waits on the database, so it cannot fail for want of one.
      if (!reply.hasHeader(LOG_POSITION_HEADER)) {
        const position = request.logPosition ?? sourceOf(request)?.known();
        if (position !== undefined) setLogPosition(reply, position);
      }
      return payload;
    });
  },
  { name: 'iwf-consistency' },
);

/** The header's position, else the query's; each one given must be a position this service issued. */
function minPosition(request: FastifyRequest): LogPosition | undefined {
  const header = request.headers[MIN_POSITION_HEADER];
  const query = (request.query as Record<string, unknown> | undefined)?.['min_position'];
  const parse = (text: unknown, pointer: string): LogPosition | undefined => {
    if (typeof text !== 'string') return undefined;
    const position = parsePosition(text.trim());
    if (!position) throw new DomainError('validation', 'The minimum position is not one this service issued.', [{ pointer, message: 'is not a log position' }]);
    return position;
  };
  const fromHeader = parse(header, '/headers/x-min-position');
  const fromQuery = parse(query, '/querystring/min_position');
  return fromHeader ?? fromQuery;
}
