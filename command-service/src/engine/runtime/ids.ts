import { createHash } from 'node:crypto';

/**
 * Name-based UUIDs (RFC 4122 version 5 layout over SHA-1): the same parts always give the
 * same id, so a retried ingest, a re-fired timer or a re-performed effect names the same
 * execution or event and the store's idempotency makes the repeat a no-op.
 */
export function uuidFrom(...parts: readonly string[]): string {
  const hash = createHash('sha1').update('iwf-engine').update('\u0000');
  for (const part of parts) hash.update(part).update('\u0000');
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The ids of business events the engine ingests itself (approval decisions, emitted events)
 * start with this, and the ingest API refuses ids that do. Their UUID part is derived from what
 * a tenant's users can know (an approval's id, an effect's key): without the prefix a client
 * could ingest an event under such an id first, and the engine's event would be answered as a
 * repeat of it and never run.
 */
export const ENGINE_EVENT_ID_PREFIX = 'iwf.';

/** Whether an event id is one the engine's own ingests use (case aside, as a client might spell it). */
export const isEngineEventId = (eventId: string): boolean => eventId.slice(0, ENGINE_EVENT_ID_PREFIX.length).toLowerCase() === ENGINE_EVENT_ID_PREFIX;

export const engineIds = {
  /** One execution per (ingested event, workflow). */
  eventExecution: (tenant: string, eventId: string, workflowId: string) => uuidFrom('execution', tenant, eventId, workflowId),
  /** One execution per (schedule, tick). */
  scheduleExecution: (tenant: string, workflowId: string, tick: string) => uuidFrom('schedule', tenant, workflowId, tick),
  /** The store id of the EventIngested event of a business event. */
  ingestRecord: (tenant: string, eventId: string) => uuidFrom('ingest', tenant, eventId),
  /** The business event an emit effect ingests. */
  emittedEvent: (tenant: string, idempotencyKey: string) => `${ENGINE_EVENT_ID_PREFIX}${engineIds.legacyEmittedEvent(tenant, idempotencyKey)}`,
  /** The integration event a record effect publishes. */
  recordEvent: (tenant: string, idempotencyKey: string) => uuidFrom('record', tenant, idempotencyKey),
  /** The business event an approval decision ingests. */
  approvalEvent: (tenant: string, approvalId: string, status: string) => `${ENGINE_EVENT_ID_PREFIX}${engineIds.legacyApprovalEvent(tenant, approvalId, status)}`,
  /**
   * The ids the previous version gave those events, without the prefix: an approval decided or
   * an emit performed by it and followed up again by this version is found under them, not
   * ingested a second time.
   */
  legacyApprovalEvent: (tenant: string, approvalId: string, status: string) => uuidFrom('approval', tenant, approvalId, status),
  legacyEmittedEvent: (tenant: string, idempotencyKey: string) => uuidFrom('emit', tenant, idempotencyKey),
};
