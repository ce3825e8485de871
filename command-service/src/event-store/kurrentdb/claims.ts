import { randomUUID } from 'node:crypto';
import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { BACKWARDS, END, NO_STREAM, StreamNotFoundError, WrongExpectedVersionError, jsonEvent } from '@kurrent/kurrentdb-client';
import type { NewEvent } from '@iwf/contracts';
import { DuplicateEventIdError } from '@iwf/contracts';

/**
 * KurrentDB keeps event ids unique only within a stream's recent writes, while the port wants
 * them unique across the store. Each event id is claimed first in a stream of its own
 * (`iwf-event-id-<id>`, created with expected state "no stream"), naming the stream and type
 * the id belongs to and the append attempt that claimed it. A failed append releases its
 * claims, so a retry with the same ids may take them again. `$all` reads and subscriptions
 * leave claim events out on the server, by their type (mapping.ts `allFilter`).
 */

export const CLAIM_TYPE_PREFIX = 'iwf.event-id.';
export const CLAIM_TYPE = `${CLAIM_TYPE_PREFIX}claimed`;
export const RELEASE_TYPE = `${CLAIM_TYPE_PREFIX}released`;

export const claimStream = (event_id: string): string => `iwf-event-id-${event_id}`;

interface ClaimData {
  readonly stream_id: string;
  readonly type: string;
  readonly attempt: string;
}

/** `won`: this attempt holds the id now; `held`: another attempt of the same stream and type does. */
export type ClaimOutcome = 'won' | 'held';

export async function claimEventId(client: KurrentDBClient, stream_id: string, event: NewEvent, attempt: string): Promise<ClaimOutcome> {
  const name = claimStream(event.event_id);
  const data: ClaimData = { stream_id, type: event.type, attempt };
  let state: typeof NO_STREAM | bigint = NO_STREAM;
  for (;;) {
    try {
      await client.appendToStream(name, jsonEvent({ id: randomUUID(), type: CLAIM_TYPE, data: { ...data } }), { streamState: state });
      return 'won';
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const last = await lastClaimEvent(client, name);
    if (!last) continue;
    if (last.type === RELEASE_TYPE) {
      // Free again: take it, unless someone else takes it first (then look again).
      state = last.revision;
      continue;
    }
    if (last.data.stream_id !== stream_id || last.data.type !== event.type) throw new DuplicateEventIdError(event.event_id);
    return 'held';
  }
}

/** Gives back ids this attempt claimed for an append that did not happen. */
export async function releaseEventIds(client: KurrentDBClient, event_ids: readonly string[], attempt: string): Promise<void> {
  await Promise.all(
    event_ids.map(async (event_id) => {
      const name = claimStream(event_id);
      const last = await lastClaimEvent(client, name);
      if (last?.type !== CLAIM_TYPE || last.data.attempt !== attempt) return;
      await client
        .appendToStream(name, jsonEvent({ id: randomUUID(), type: RELEASE_TYPE, data: { attempt } }), { streamState: last.revision })
        // Someone moved the claim meanwhile; it is theirs now.
        .catch((error: unknown) => {
          if (!(error instanceof WrongExpectedVersionError)) throw error;
        });
    }),
  );
}

async function lastClaimEvent(client: KurrentDBClient, name: string): Promise<{ type: string; revision: bigint; data: ClaimData } | undefined> {
  try {
    for await (const resolved of client.readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
      const event = resolved.event;
      if (event) return { type: event.type, revision: event.revision, data: event.data as unknown as ClaimData };
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return undefined;
}
