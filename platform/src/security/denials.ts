import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamId, type AccessDenied, type EventStore } from '@iwf/contracts';

/** A request an authenticated principal was refused (403). */
export interface Denial {
  readonly tenant: string;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly action: string;
  readonly method: string;
  readonly route: string;
  readonly reason: string;
  readonly at: Date;
  readonly requestId: string;
}

export type DenialRecorder = (denial: Denial) => Promise<void>;

/**
 * Denials become `AccessDenied` events in one stream per tenant and UTC day, so the audit
 * endpoints and exports show them beside everything else the actor did.
 */
export function createDenialRecorder(store: Pick<EventStore, 'append'>, newId: () => string): DenialRecorder {
  return async (denial) => {
    const day = denial.at.toISOString().slice(0, 10);
    const event: AccessDenied = {
      type: 'AccessDenied',
      data: {
        actor: denial.actor,
        roles: [...denial.roles],
        action: denial.action,
        method: denial.method,
        route: denial.route,
        reason: denial.reason,
        at: denial.at.toISOString(),
      },
    };
    const metadata = { tenant: denial.tenant, actor: denial.actor, correlation_id: denial.requestId, causation_id: denial.requestId };
    await store.append(streamId('access', denial.tenant, `denied-${day}`), [{ event_id: newId(), ...event, schema_version: 1, metadata }], 'any');
  };
}

/** What a 403 answer says, to record why (the problem's detail). */
export function denialOf(request: FastifyRequest, reply: FastifyReply, payload: unknown): Denial | undefined {
  const principal = request.principal;
  if (reply.statusCode !== 403 || !principal) return undefined;
  const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  const permission = request.routeOptions.config.permission;
  return {
    tenant: principal.tenant,
    actor: principal.actor,
    roles: principal.roles,
    action: permission ?? `${request.method} ${route}`,
    method: request.method,
    route,
    reason: detailOf(payload).slice(0, 500),
    at: new Date(),
    requestId: request.id,
  };
}

function detailOf(payload: unknown): string {
  if (typeof payload !== 'string') return 'forbidden';
  try {
    const detail = (JSON.parse(payload) as { detail?: unknown }).detail;
    return typeof detail === 'string' ? detail : 'forbidden';
  } catch {
    return 'forbidden';
  }
}
