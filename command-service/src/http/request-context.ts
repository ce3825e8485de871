import type { FastifyRequest } from 'fastify';
import { DomainError, type EventMetadata } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import { CLIENT_ID_PATTERN } from '@iwf/platform/http/app';

const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Who did it, on behalf of which tenant, and what request caused it: stamped on every event. */
export function eventMetadataFor(request: FastifyRequest): EventMetadata {
  const principal = principalOf(request);
  const correlation = headerValue(request, 'x-correlation-id');
  const traceparent = headerValue(request, 'traceparent');
  return {
    tenant: principal.tenant,
    actor: principal.actor,
    correlation_id: correlation && CLIENT_ID_PATTERN.test(correlation) ? correlation : request.id,
    causation_id: request.id,
    ...(traceparent && TRACEPARENT_PATTERN.test(traceparent) ? { traceparent } : {}),
  };
}

/** `If-Match: "<revision>"` → the revision; absent → undefined; anything else is a 400. */
export function ifMatchRevision(request: FastifyRequest): number | undefined {
  const header = headerValue(request, 'if-match');
  if (header === undefined) return undefined;
  const revision = revisionOfEtag(header);
  if (revision === undefined) {
    throw new DomainError('validation', "If-Match must be the ETag of the resource's own read, like \"3\".", [{ pointer: '/headers/if-match', message: 'is not a revision ETag' }]);
  }
  return revision;
}

/** The revision a `"<revision>"` or `W/"<revision>"` ETag names; undefined for any other text. */
export function revisionOfEtag(etag: string): number | undefined {
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(etag.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
