import type { ExpectedRevision } from './types.js';

/** The stream was not at the expected revision. Maps to 409 (or a retry inside a command handler). */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'wrong_expected_revision';
  constructor(
    readonly stream_id: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${stream_id} expected at ${String(expected)} but is at ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id already exists in another stream, or in the same stream with other content. */
export class DuplicateEventIdError extends Error {
  readonly code = 'duplicate_event_id';
  constructor(readonly event_id: string) {
    super(`event id ${event_id} was already used for a different event`);
    this.name = 'DuplicateEventIdError';
  }
}
