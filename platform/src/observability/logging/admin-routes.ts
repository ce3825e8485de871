import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '@iwf/contracts';
import { principalOf } from '../../auth/plugin.js';
import type { HttpApp } from '../../http/app.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const LevelBody = Type.Object({ level: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level))) }, { additionalProperties: false });
const LevelAnswer = Type.Object({ level: Type.String(), previous: Type.Optional(Type.String()) });

export function requireAdmin(request: FastifyRequest): void {
  if (!principalOf(request).roles.includes('admin')) throw new DomainError('forbidden', 'This route is for administrators (the admin role).');
}

/**
 * `GET|PUT /admin/log-level`: read or change the process's log level without a restart
 * (admins only). Request loggers are children made per request, so the next request already
 * logs at the new level.
 */
export function registerLogLevelRoutes(app: HttpApp, logger: Logger): void {
  const schema = { tags: ['admin'], response: { 200: LevelAnswer } };
  const config = { permission: 'admin:operate' as const };
  app.get('/admin/log-level', { config, schema: { ...schema, summary: 'The current log level' } }, async (request) => {
    requireAdmin(request);
    return { level: logger.level };
  });
  app.put('/admin/log-level', { config, schema: { ...schema, summary: 'Change the log level at run time', body: LevelBody } }, async (request) => {
    requireAdmin(request);
    const previous = logger.level;
    logger.level = request.body.level;
    logger.warn({ level: logger.level, previous, actor: request.principal?.actor }, 'log level changed');
    return { level: logger.level, previous };
  });
}

/** At trace level, each request body is logged (scrubbed of secrets like every line). */
export function registerBodyLogging(app: HttpApp): void {
  app.addHook('preHandler', async (request) => {
    if (request.body !== undefined && request.log.level === 'trace') request.log.trace({ body: request.body }, 'request body');
  });
}
