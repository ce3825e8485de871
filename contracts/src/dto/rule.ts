import type { Condition } from '../workflow/schema-conditions.js';

/** A stored, reusable condition (steps reference it by `rule_id`). Deleted rules are not shown. */
export interface RuleView {
  readonly rule_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly condition: Condition;
  /** The stream revision of its last event; also the ETag. */
  readonly revision: number;
  readonly created_at: string;
  readonly updated_at: string;
}
