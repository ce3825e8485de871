import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { formatPosition, type LogPosition } from '@iwf/contracts';
import { consistencyPlugin } from './consistency.js';
import type { PositionWatcher } from './watcher.js';

const at = (prepare: number): LogPosition => ({ commit: 1n, prepare: BigInt(prepare) });

/**
 * The watcher here is a stand-in whose position the test moves by hand: the race it stages (a
 * checkpoint committed while a handler reads) cannot be timed with the real projector.
 */
function steppedWatcher(start: LogPosition): PositionWatcher & { advance(to: LogPosition): void } {
  let position = start;
  return {
    current: () => position,
    waitFor: async () => true,
    refresh: async () => undefined,
    close: async () => undefined,
    advance(to) {
      position = to;
    },
  };
}

async function appWith(watcher: ReturnType<typeof steppedWatcher>) {
  const app = Fastify();
  await app.register(consistencyPlugin, { watcher, defaultWaitMs: 1_000 });
  app.get('/read', { config: { readModels: ['workflows'] } }, async () => {
    // The projector commits a newer checkpoint while this read is under way.
    watcher.advance(at(9));
    return { read: 'the model as it was at position 5' };
  });
  app.get('/refused', { config: { readModels: ['workflows'] }, schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } }, async () => ({}));
  return app;
}

describe('X-Log-Position', () => {
  it('reports the position the read models had when the handler began, not one committed during the read', async () => {
    const watcher = steppedWatcher(at(5));
    const app = await appWith(watcher);
    const reply = await app.inject({ method: 'GET', url: '/read' });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['x-log-position']).toBe(formatPosition(at(5)));
    // The next read starts from the newer one.
    const next = await app.inject({ method: 'GET', url: '/read' });
    expect(next.headers['x-log-position']).toBe(formatPosition(at(9)));
  });

  it('still reports one on a request refused before its handler ran', async () => {
    const watcher = steppedWatcher(at(7));
    const app = await appWith(watcher);
    const reply = await app.inject({ method: 'GET', url: '/refused?n=not-a-number' });
    expect(reply.statusCode).toBe(400);
    expect(reply.headers['x-log-position']).toBe(formatPosition(at(7)));
  });
});
