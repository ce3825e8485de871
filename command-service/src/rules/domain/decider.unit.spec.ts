import { describe, expect, it } from 'vitest';
import { DomainError } from '@iwf/contracts';
import type { RuleEvent } from '@iwf/contracts';
import type { RuleCommand } from './decider.js';
import { ruleDecider } from './decider.js';

const at = '2024-05-01T10:00:00.000Z';
const condition = { field: 'score', operator: 'gt' as const, value: 80 };
const created: RuleEvent = { type: 'RuleCreated', data: { rule_id: 'r1', name: 'High', description: null, condition, at } };

/** Given past events, when a command is decided, then these events (or this error). */
function given(...history: RuleEvent[]) {
  const state = history.reduce(ruleDecider.evolve, ruleDecider.initialState);
  return { when: (command: RuleCommand) => () => ruleDecider.decide(command, state) };
}
const create: RuleCommand = { type: 'CreateRule', data: { rule_id: 'r1', name: 'High', description: null, condition, now: at } };
const update = (value: number): RuleCommand => ({ type: 'UpdateRule', data: { rule_id: 'r1', name: 'High', description: null, condition: { ...condition, value }, now: at } });
const remove: RuleCommand = { type: 'DeleteRule', data: { rule_id: 'r1', now: at } };
const deleted: RuleEvent = { type: 'RuleDeleted', data: { rule_id: 'r1', at } };

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
};

describe('rule decider', () => {
  it('creates a new rule', () => {
    expect(given().when(create)()).toEqual([created]);
  });
  it('refuses to create an id in use, but takes back a deleted one', () => {
    expect(codeOf(given(created).when(create))).toBe('conflict');
    expect(given(created, deleted).when(create)()).toEqual([created]);
  });
  it('updates an active rule; the same content appends nothing', () => {
    expect(given(created).when(update(90))()).toEqual([{ type: 'RuleUpdated', data: { ...created.data, condition: { ...condition, value: 90 } } }]);
    expect(given(created).when(update(80))()).toEqual([]);
  });
  it('refuses to update or delete a rule that is absent or deleted', () => {
    expect(codeOf(given().when(update(1)))).toBe('not_found');
    expect(codeOf(given(created, deleted).when(update(1)))).toBe('not_found');
    expect(codeOf(given(created, deleted).when(remove))).toBe('not_found');
  });
  it('deletes an active rule', () => {
    expect(given(created).when(remove)()).toEqual([deleted]);
  });
});
