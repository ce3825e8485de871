import { describe, expect, it } from 'vitest';
import { DomainError } from '@iwf/contracts';
import { deciderSpec } from './decider-spec.js';

type Event = { type: 'Added'; n: number };
type Command = { type: 'Add'; n: number };

/** A counter that refuses to go above 3. */
const counter = deciderSpec<Command, Event, number>({
  initialState: 0,
  evolve: (total, event) => total + event.n,
  decide: (command, total) => {
    if (total + command.n > 3) throw new DomainError('illegal_state', 'too much', [], 'over-limit');
    return [{ type: 'Added', n: command.n }];
  },
});

describe('deciderSpec', () => {
  it('decides on the fold of the given events', () => {
    counter.given([{ type: 'Added', n: 2 }]).when({ type: 'Add', n: 1 }).then([{ type: 'Added', n: 1 }]);
    counter.given([{ type: 'Added', n: 2 }]).when({ type: 'Add', n: 2 }).thenThrows('illegal_state', 'over-limit');
  });

  it('fails when the events differ', () => {
    expect(() => counter.given([]).when({ type: 'Add', n: 1 }).then([{ type: 'Added', n: 2 }])).toThrow();
  });

  it('fails when an expected rejection does not happen', () => {
    expect(() => counter.given([]).when({ type: 'Add', n: 1 }).thenThrows('illegal_state')).toThrow(/got events/);
  });

  it('fails on another error code or problem type', () => {
    const when = counter.given([{ type: 'Added', n: 3 }]).when({ type: 'Add', n: 1 });
    expect(() => when.thenThrows('conflict')).toThrow(/error code/);
    expect(() => when.thenThrows('illegal_state', 'other')).toThrow(/problem type/);
  });

  it('returns the error for further checks', () => {
    expect(counter.given([{ type: 'Added', n: 3 }]).when({ type: 'Add', n: 1 }).thenThrows('illegal_state').message).toBe('too much');
  });
});
