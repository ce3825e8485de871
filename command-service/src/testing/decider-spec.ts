import * as assert from 'node:assert/strict';
import { DomainError } from '@iwf/contracts';
import type { DomainErrorCode } from '@iwf/contracts';

/** The parts of a decider a specification exercises. */
export interface SpecifiedDecider<Command, Event, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): readonly Event[];
}

export interface Then<Event> {
  /** The command produces exactly these events, in this order ([] for "nothing happens"). */
  then(expected: readonly Event[]): void;
  /** The command is rejected with a DomainError of this code (and problem slug, when given). */
  thenThrows(code: DomainErrorCode, problem?: string): DomainError;
}

/**
 * Given/when/then for deciders: `spec.given([...past events]).when(command).then([...new events])`.
 * The state is the fold of the given events, exactly as the command handler builds it.
 */
export function deciderSpec<Command, Event, State>(decider: SpecifiedDecider<Command, Event, State>) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command): Then<Event> {
          const decide = () => {
            const state = events.reduce((current, event) => decider.evolve(current, event), decider.initialState);
            return decider.decide(command, state);
          };
          return {
            then(expected) {
              assert.deepStrictEqual(decide(), expected);
            },
            thenThrows(code, problem) {
              let outcome: unknown;
              try {
                outcome = decide();
              } catch (error) {
                assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
                assert.equal(error.code, code, `error code (message: ${error.message})`);
                if (problem !== undefined) assert.equal(error.problem, problem, 'problem type');
                return error;
              }
              return assert.fail(`expected a ${code} DomainError, got events ${JSON.stringify(outcome)}`);
            },
          };
        },
      };
    },
  };
}
