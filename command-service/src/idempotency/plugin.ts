import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { DomainError } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import { LOG_POSITION_HEADER } from '@iwf/platform/http/positions';
import { revisionOfEtag } from '../http/request-context.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const RETENTION = '24 hours';
// A claim with no answer this old belongs to a process that died mid-request: no request runs
// this long (bodies arrive within REQUEST_TIMEOUT_MS, at most 5 minutes, and waits are shorter).
const ABANDONED_AFTER = '10 minutes';

/**
 * Answers a retry with the same key should not get again: a concurrent-modification conflict
 * says "try again", and kept for 24 h it would refuse every retry with the same key.
 */
export function isTransientAnswer(statusCode: number, payload: unknown): boolean {
  if (statusCode >= 500) return true;
  if (statusCode !== 409 || typeof payload !== 'string') return false;
  try {
    const type = (JSON.parse(payload) as { type?: unknown }).type;
    return typeof type === 'string' && type.endsWith('/concurrent-modification');
  } catch {
    return false;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: string | undefined;
  }
}

/**
 * `Idempotency-Key` on writes: the first answer (status and body) is stored and replayed for
 * 24 h; nothing is appended again. The same key with another request is a 422; a key whose
 * first request is still running is a 409. Server errors and concurrent-modification conflicts
 * are not stored, so the client may retry; a claim left without an answer by a process that
 * died is taken over after 10 minutes (the command then runs again).
 */
export const idempotencyPlugin = fp<{ pool: pg.Pool }>(
  async (app: FastifyInstance, { pool }) => {
    app.decorateRequest('idempotencyKey', undefined);
    app.addHook('preHandler', async (request, reply) => {
      // No route, no command: the not-found answer is not the key's to keep.
      if (request.method === 'GET' || request.method === 'HEAD' || request.is404) return;
      const key = request.headers['idempotency-key'];
      if (key === undefined) return;
      if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
        throw new DomainError('validation', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', [{ pointer: '/headers/idempotency-key', message: 'is invalid' }]);
      }
      const tenant = principalOf(request).tenant;
      const fingerprint = fingerprintOf(request);
      const claimed = await pool.query(
        `INSERT INTO iwf_command.idempotency_keys (tenant, key, fingerprint) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = NULL, body = NULL, log_position = NULL, created_at = now()
           WHERE iwf_command.idempotency_keys.created_at < now() - interval '${RETENTION}'
              OR (iwf_command.idempotency_keys.status IS NULL AND iwf_command.idempotency_keys.created_at < now() - interval '${ABANDONED_AFTER}')
         RETURNING key`,
        [tenant, key, fingerprint],
      );
      if (claimed.rowCount === 1) {
        request.idempotencyKey = key;
        return;
      }
      await replay(pool, tenant, key, fingerprint, request, reply);
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const key = request.idempotencyKey;
      if (key === undefined) return payload;
      const tenant = principalOf(request).tenant;
      if (isTransientAnswer(reply.statusCode, payload)) {
        await pool.query('DELETE FROM iwf_command.idempotency_keys WHERE tenant = $1 AND key = $2', [tenant, key]);
      } else {
        const position = reply.getHeader(LOG_POSITION_HEADER);
        await pool.query('UPDATE iwf_command.idempotency_keys SET status = $3, body = $4, log_position = $5 WHERE tenant = $1 AND key = $2', [
          tenant,
          key,
          reply.statusCode,
          typeof payload === 'string' && payload.length > 0 ? payload : null,
          typeof position === 'string' ? position : null,
        ]);
      }
      return payload;
    });
  },
  { name: 'iwf-idempotency' },
);

async function replay(pool: pg.Pool, tenant: string, key: string, fingerprint: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const found = await pool.query<{ fingerprint: string; status: number | null; body: unknown; log_position: string | null }>(
    'SELECT fingerprint, status, body, log_position FROM iwf_command.idempotency_keys WHERE tenant = $1 AND key = $2',
    [tenant, key],
  );
  const row = found.rows[0];
  if (!row) throw new DomainError('conflict', 'The idempotency key was released concurrently; retry the request.', [], 'idempotency-key-in-use');
  if (row.fingerprint !== fingerprint && !(isLegacy(row.fingerprint) && row.fingerprint === legacyFingerprintOf(request))) {
    throw new DomainError('illegal_state', 'This Idempotency-Key was already used for a different request.', [], 'idempotency-key-reused');
  }
  if (row.status === null) {
    throw new DomainError('conflict', 'A request with this Idempotency-Key is still being processed.', [], 'idempotency-key-in-use');
  }
  if (row.log_position) void reply.header(LOG_POSITION_HEADER, row.log_position);
  void reply.header('idempotent-replayed', 'true');
  await reply.status(row.status).type(row.status >= 400 ? 'application/problem+json' : 'application/json').send(row.body ?? undefined);
}

/**
 * What makes two requests the same: method, URL, body and precondition. No body, `null` and
 * `{}` say the same (commands without input take any of them), as do `W/"3"` and `"3"`; a
 * request pinned to another revision is another request, not a replay of the first answer.
 * Versioned (`2:`), so a key stored by the previous version is still compared its way.
 */
function fingerprintOf(request: FastifyRequest): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\n`);
  const ifMatch = request.headers['if-match'];
  if (typeof ifMatch === 'string') hash.update(`if-match ${revisionOfEtag(ifMatch) ?? ifMatch.trim()}\n`);
  return `${FINGERPRINT_VERSION}${hash.update(JSON.stringify(isEmpty(request.body) ? null : request.body)).digest('base64url')}`;
}

const FINGERPRINT_VERSION = '2:';
const isLegacy = (fingerprint: string): boolean => !fingerprint.startsWith(FINGERPRINT_VERSION);

/** The previous version's fingerprint (method, URL and body as sent), for keys it stored within the last 24 h. */
function legacyFingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n`)
    .update(JSON.stringify(request.body ?? null))
    .digest('base64url');
}

const isEmpty = (body: unknown): boolean =>
  body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
