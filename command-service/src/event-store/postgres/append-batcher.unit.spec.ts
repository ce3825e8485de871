import { describe, expect, it } from 'vitest';
import { newEvents } from '../contract/helpers.js';
import { appendArguments } from './append.js';
import { takeBatch } from './append-batcher.js';

const LIMITS = { maxInFlight: 2, maxAppends: 64, maxEvents: 1_000 };

/** A queued append named `<stream><n>`, e.g. `a2`: the second waiting append to stream a. */
const queued = (name: string, events = 1) => ({ name, args: appendArguments(name.replace(/\d+$/, ''), newEvents(events), 'any') });

const names = (taken: { batch: { name: string }[]; rest: { name: string }[] }) => ({
  batch: taken.batch.map((item) => item.name),
  rest: taken.rest.map((item) => item.name),
});

describe('which waiting appends the next statement takes', () => {
  it('takes its share of the waiting appends in arrival order', () => {
    const queue = ['a1', 'b1', 'c1', 'd1', 'e1'].map((name) => queued(name));
    expect(names(takeBatch(queue, 3, LIMITS))).toEqual({ batch: ['a1', 'b1', 'c1'], rest: ['d1', 'e1'] });
    expect(names(takeBatch(queue, 10, LIMITS))).toEqual({ batch: ['a1', 'b1', 'c1', 'd1', 'e1'], rest: [] });
  });

  it('brings later appends to a stream it carries along, so another statement cannot reorder them', () => {
    const queue = ['a1', 'b1', 'c1', 'a2', 'd1', 'b2', 'c2'].map((name) => queued(name));
    expect(names(takeBatch(queue, 2, LIMITS))).toEqual({ batch: ['a1', 'b1', 'a2', 'b2'], rest: ['c1', 'd1', 'c2'] });
  });

  it('leaves the later appends of a stream behind once the limits leave one of them behind', () => {
    const queue = [queued('a1', 2), queued('b1', 1), queued('a2', 4), queued('a3', 1), queued('c1', 1)];
    // a2 would pass 5 events, so a3 (which would fit) stays behind it; c1 is past the share.
    expect(names(takeBatch(queue, 2, { ...LIMITS, maxEvents: 5 }))).toEqual({ batch: ['a1', 'b1'], rest: ['a2', 'a3', 'c1'] });
    expect(names(takeBatch(queue, 5, { ...LIMITS, maxAppends: 2 }))).toEqual({ batch: ['a1', 'b1'], rest: ['a2', 'a3', 'c1'] });
  });

  it('leaves behind every append to a stream that has one in a running statement', () => {
    const queue = ['a1', 'b1', 'a2', 'c1'].map((name) => queued(name));
    const busy = (stream: string): boolean => stream === 'a';
    expect(names(takeBatch(queue, 4, LIMITS, busy))).toEqual({ batch: ['b1', 'c1'], rest: ['a1', 'a2'] });
    expect(names(takeBatch([queued('a1')], 1, LIMITS, busy))).toEqual({ batch: [], rest: ['a1'] });
  });

  it('sends an append larger than the event limit alone', () => {
    const queue = [queued('a1', 9), queued('b1', 1)];
    expect(names(takeBatch(queue, 2, { ...LIMITS, maxEvents: 5 }))).toEqual({ batch: ['a1'], rest: ['b1'] });
  });
});
