import type { IncomingMessage } from 'node:http';
import { DomainError } from '@iwf/contracts';
import { verifyBearer, type JwtSettings } from '../../auth/jwt.js';

/** The metrics port has no fastify; its admin routes check the same bearer tokens by hand. */
export async function authenticateAdmin(request: IncomingMessage, jwt: JwtSettings): Promise<void> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) throw new DomainError('unauthenticated', 'Send an admin bearer token in the Authorization header.');
  const principal = await verifyBearer(match[1], jwt);
  if (!principal.roles.includes('admin')) throw new DomainError('forbidden', 'Profiling is for administrators (the admin role).');
}
