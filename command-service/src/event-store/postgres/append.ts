import type { AppendResult, DomainError, ExpectedRevision, NewEvent } from '@iwf/contracts';
import { DuplicateEventIdError, WrongExpectedRevisionError, validationError } from '@iwf/contracts';
import type pg from 'pg';
import { toPosition } from './rows.js';

const APPEND = `SELECT status, next_revision::text AS next_revision, commit_tx::text AS commit_tx,
  last_position::text AS last_position, duplicate_id::text AS duplicate_id
  FROM iwf_events.append_json($1, $2, $3, $4, $5, $6, $7, $8)`;

const UNIQUE_VIOLATION = '23505';
// Each retry follows a writer that committed the same ids or created the same stream first;
// the retry checks ids before writing, so a second race is rare and a third is pathological.
const MAX_ATTEMPTS = 4;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AppendRow {
  readonly status: number;
  readonly next_revision: string | null;
  readonly commit_tx: string | null;
  readonly last_position: string | null;
  readonly duplicate_id: string | null;
}

/**
 * The arguments of `iwf_events.append_json`, without the final "check ids first" flag. Data and
 * metadata travel as one JSON array each: a PostgreSQL array of escaped JSON strings costs
 * more to build and to parse than the append itself.
 */
export type AppendArguments = readonly [string, number, string[], string[], number[], string, string];

/** Validates and encodes an append; throws a validation error before touching the database. */
export function appendArguments(stream_id: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendArguments {
  if (stream_id.length === 0) throw validationError([{ pointer: '/stream_id', message: 'must not be empty' }]);
  if (events.length === 0) throw validationError([{ pointer: '/events', message: 'an append needs at least one event' }]);
  const ids = events.map((event, index) => {
    const id = event.event_id.toLowerCase();
    if (!UUID_PATTERN.test(id)) throw validationError([{ pointer: `/events/${index}/event_id`, message: 'must be a UUID' }]);
    return id;
  });
  if (new Set(ids).size !== ids.length) throw new DuplicateEventIdError(ids.find((id, index) => ids.indexOf(id) !== index) ?? '');
  const data = JSON.stringify(events.map((event) => event.data));
  const metadata = JSON.stringify(events.map((event) => event.metadata));
  if (UNSTORABLE_ESCAPE.test(data) || UNSTORABLE_ESCAPE.test(metadata)) throw unstorable(events);
  return [stream_id, encodeExpected(expected), ids, events.map((event) => event.type), events.map((event) => event.schema_version ?? 1), data, metadata];
}

/**
 * `\u0000` or a lone surrogate's `\ud800`-`\udfff` as JSON.stringify writes them (it writes a
 * surrogate pair as the character itself), not preceded by another backslash that would make
 * it a literal backslash. The log keeps JSON as sent and would store them, but jsonb, the read
 * models' type, cannot hold them, so the store refuses them as it did when the log was jsonb.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/;

function unstorable(events: readonly NewEvent[]): DomainError {
  const message = 'must not hold a NUL character or a lone UTF-16 surrogate';
  for (const [index, event] of events.entries()) {
    if (UNSTORABLE_ESCAPE.test(JSON.stringify(event.data))) return validationError([{ pointer: `/events/${index}/data`, message }]);
    if (UNSTORABLE_ESCAPE.test(JSON.stringify(event.metadata))) return validationError([{ pointer: `/events/${index}/metadata`, message }]);
  }
  return validationError([{ pointer: '/events', message }]);
}

export function encodeExpected(expected: ExpectedRevision): number {
  switch (expected) {
    case 'any':
      return -2;
    case 'exists':
      return -3;
    case 'no_stream':
      return -1;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw validationError([{ pointer: '/expected_revision', message: 'must be a revision (>= 0), any, no_stream or exists' }]);
      }
      return expected;
  }
}

/**
 * Appends in one statement; retries only after losing a unique-index race. On a pool it runs
 * in autocommit; on a client inside BEGIN it joins that transaction.
 */
export async function append(db: pg.Pool | pg.PoolClient, stream_id: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
  return appendEncoded(db, appendArguments(stream_id, events, expected), expected);
}

/** `append` with arguments `appendArguments` encoded already. */
export async function appendEncoded(db: pg.Pool | pg.PoolClient, args: AppendArguments, expected: ExpectedRevision): Promise<AppendResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await db.query<AppendRow>({ name: 'iwf_events_append_json', text: APPEND, values: [...args, attempt > 1] });
      return interpretAppend(args[0], expected, result.rows[0]);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isUniqueViolation(error)) throw error;
    }
  }
}

/** The outcome of one append from its row of `iwf_events.append_json` or `iwf_events.append_json_batch`. */
export function interpretAppend(stream_id: string, expected: ExpectedRevision, row: AppendRow | undefined): AppendResult {
  if (!row) throw new Error('the append returned no row');
  switch (row.status) {
    case 0:
    case 2:
      return {
        next_revision: Number(row.next_revision),
        position: toPosition(required(row.commit_tx), required(row.last_position)),
        appended: row.status === 0,
      };
    case 1: {
      const actual = Number(row.next_revision);
      throw new WrongExpectedRevisionError(stream_id, expected, actual < 0 ? 'no_stream' : actual);
    }
    case 3:
      throw new DuplicateEventIdError(required(row.duplicate_id));
    default:
      throw new Error(`the append returned unknown status ${row.status}`);
  }
}

function required(value: string | null): string {
  if (value === null) throw new Error('the append returned an incomplete row');
  return value;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}
