import type { Condition } from '../workflow/schema-conditions.js';

/** Stream `rule:<tenant>:<rule_id>`: reusable conditions referenced by `rule_id`. */
interface RuleBody {
  readonly rule_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly condition: Condition;
  readonly at: string;
}

export type RuleCreated = { readonly type: 'RuleCreated'; readonly data: RuleBody };
export type RuleUpdated = { readonly type: 'RuleUpdated'; readonly data: RuleBody };
export type RuleDeleted = { readonly type: 'RuleDeleted'; readonly data: { readonly rule_id: string; readonly at: string } };

export type RuleEvent = RuleCreated | RuleUpdated | RuleDeleted;
export const RULE_EVENT_TYPES = ['RuleCreated', 'RuleUpdated', 'RuleDeleted'] as const satisfies readonly RuleEvent['type'][];
