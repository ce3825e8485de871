import {
  DomainError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type LogPosition,
  type RecordedEvent,
} from '@iwf/contracts';

/** A pure aggregate: fold events into state, decide events from a command and the state. */
export interface Decider<Command, Event extends { type: string; data: unknown }, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): readonly Event[];
}

export interface CommandContext {
  readonly store: EventStore;
  readonly metadata: EventMetadata;
  readonly newEventId: () => string;
  /** Schema version to stamp on each new event type, and how to read older ones. */
  readonly schemaVersionOf: (type: string) => number;
  readonly upcast: (event: RecordedEvent) => { type: string; data: unknown };
}

export interface CommandRequest<Command> {
  readonly streamId: string;
  readonly command: Command;
  /** From `If-Match`: the aggregate revision the client last saw; a mismatch is a 412. */
  readonly ifMatch?: number | undefined;
}

export interface CommandOutcome<State> {
  readonly state: State;
  /** The aggregate revision after the command (-1: the stream does not exist). */
  readonly revision: number;
  /** The position of the last event appended, or of the stream's newest event when none was. */
  readonly position: LogPosition | undefined;
  readonly appended: number;
}

const MAX_ATTEMPTS = 4;

/**
 * Loads the stream, folds it, decides and appends with the revision it read. A concurrent
 * writer makes the append fail; then the command is decided again on the fresh state, a few
 * times. The decision comes before the precondition (If-Match): a command refused whatever the
 * revision (an unknown resource, an illegal state) answers its own 404 or 422, as RFC 9110
 * §13.2.1 has it. So a pinned append that finds the stream moved on is decided again on the
 * fresh state too; there the revision no longer matches, and a command still allowed is a 412.
 */
export async function handleCommand<Command, Event extends { type: string; data: unknown }, State>(
  context: CommandContext,
  decider: Decider<Command, Event, State>,
  request: CommandRequest<Command>,
): Promise<CommandOutcome<State>> {
  for (let attempt = 1; ; attempt += 1) {
    const { state, revision, position } = await load(context, decider, request.streamId);
    const events = decider.decide(request.command, state);
    requireRevision(request.ifMatch, revision);
    if (events.length === 0) return { state, revision, position, appended: 0 };
    try {
      const result = await context.store.append(
        request.streamId,
        events.map((event) => ({
          event_id: context.newEventId(),
          type: event.type,
          schema_version: context.schemaVersionOf(event.type),
          data: event.data,
          metadata: context.metadata,
        })),
        revision < 0 ? 'no_stream' : revision,
      );
      return { state: events.reduce((folded, event) => decider.evolve(folded, event), state), revision: result.next_revision, position: result.position, appended: events.length };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new DomainError('conflict', 'The resource is being changed concurrently; try again.', [], 'concurrent-modification');
      }
    }
  }
}

/** If-Match against the revision the command was decided on: a mismatch is a 412. */
export function requireRevision(ifMatch: number | undefined, revision: number): void {
  if (ifMatch !== undefined && ifMatch !== revision) {
    throw new DomainError('precondition_failed', `The resource is at revision ${revision}, not ${ifMatch}.`);
  }
}

async function load<Command, Event extends { type: string; data: unknown }, State>(
  context: CommandContext,
  decider: Decider<Command, Event, State>,
  streamId: string,
): Promise<{ state: State; revision: number; position: LogPosition | undefined }> {
  const recorded = await context.store.readStream(streamId);
  let state = decider.initialState;
  for (const event of recorded) state = decider.evolve(state, context.upcast(event) as Event);
  const last = recorded.at(-1);
  return { state, revision: last ? last.stream_revision : -1, position: last?.position };
}
