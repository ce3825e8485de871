import type { Condition, RuleEvent } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';
import { jsonEquals } from '../../engine/domain/json.js';

/** The rule aggregate (stream `rule:<tenant>:<rule_id>`): a named, reusable condition. */
export interface RuleContent {
  readonly name: string;
  readonly description: string | null;
  readonly condition: Condition;
}

export type RuleState =
  | { readonly status: 'absent' }
  | ({ readonly status: 'active' | 'deleted'; readonly rule_id: string } & RuleContent);

export type RuleCommand =
  | { readonly type: 'CreateRule'; readonly data: RuleContent & { readonly rule_id: string; readonly now: string } }
  | { readonly type: 'UpdateRule'; readonly data: RuleContent & { readonly rule_id: string; readonly now: string } }
  | { readonly type: 'DeleteRule'; readonly data: { readonly rule_id: string; readonly now: string } };

export const initialRuleState: RuleState = { status: 'absent' };

export function evolveRule(state: RuleState, event: RuleEvent): RuleState {
  switch (event.type) {
    case 'RuleCreated':
    case 'RuleUpdated': {
      const { rule_id, name, description, condition } = event.data;
      return { status: 'active', rule_id, name, description, condition };
    }
    case 'RuleDeleted':
      return state.status === 'active' ? { ...state, status: 'deleted' } : state;
  }
}

const sameContent = (state: RuleContent, content: RuleContent): boolean =>
  state.name === content.name && state.description === content.description && jsonEquals(state.condition, content.condition);

/**
 * Create refuses an id in use; a deleted rule's id may be created again (conditions refer to
 * rules by id, so bringing a rule back is how a deletion is undone). Updating to the same
 * content appends nothing.
 */
export function decideRule(command: RuleCommand, state: RuleState): RuleEvent[] {
  const { data } = command;
  switch (command.type) {
    case 'CreateRule': {
      if (state.status === 'active') throw new DomainError('conflict', `Rule ${data.rule_id} already exists.`, [{ pointer: '/rule_id', message: 'already exists' }], 'rule-exists');
      const { rule_id, name, description, condition, now } = command.data;
      return [{ type: 'RuleCreated', data: { rule_id, name, description, condition, at: now } }];
    }
    case 'UpdateRule': {
      if (state.status !== 'active') throw new DomainError('not_found', `No rule ${data.rule_id}.`, [], 'rule-not-found');
      const { rule_id, name, description, condition, now } = command.data;
      if (sameContent(state, command.data)) return [];
      return [{ type: 'RuleUpdated', data: { rule_id, name, description, condition, at: now } }];
    }
    case 'DeleteRule':
      if (state.status !== 'active') throw new DomainError('not_found', `No rule ${data.rule_id}.`, [], 'rule-not-found');
      return [{ type: 'RuleDeleted', data: { rule_id: data.rule_id, at: data.now } }];
  }
}

export const ruleDecider = { initialState: initialRuleState, evolve: evolveRule, decide: decideRule };
