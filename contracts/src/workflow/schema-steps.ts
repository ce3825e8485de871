import { Type } from '@sinclair/typebox';
import type { Static, TOptional, TProperties, TSchema, TString } from '@sinclair/typebox';
import { ConditionSchema } from './schema-conditions.js';
import { ExecuteItemSchema } from './schema-execute.js';
import { WORKFLOW_LIMITS } from './limits.js';
import {
  ContextPathSchema,
  DurationSchema,
  EventPatternSchema,
  ITEM_VAR_PATTERN,
  IdSchema,
  NonEmptyString,
  RetrySchema,
  StringEnum,
  TemplateSchema,
} from './schema-common.js';

export const STEP_TYPES = ['condition', 'action', 'execute', 'parallel', 'foreach', 'wait', 'approval'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const BRANCH_KEYS = ['next', 'on_true', 'on_false', 'on_error', 'on_timeout', 'on_approved', 'on_rejected', 'on_expired'] as const;
export type BranchKey = (typeof BRANCH_KEYS)[number];

/** Which branch keys mean something on which step type; any other branch key is rejected. */
export const STEP_BRANCHES = {
  condition: ['on_true', 'on_false', 'on_error'],
  action: ['next', 'on_error'],
  execute: ['next', 'on_error'],
  parallel: ['next', 'on_false', 'on_error'],
  foreach: ['next', 'on_error'],
  wait: ['next', 'on_timeout', 'on_error'],
  approval: ['on_approved', 'on_rejected', 'on_expired', 'on_error'],
} as const satisfies Record<StepType, readonly BranchKey[]>;

function branchProperties<K extends BranchKey>(keys: readonly K[]): { [P in K]: TOptional<TString> } {
  return Object.fromEntries(keys.map((key) => [key, Type.Optional(IdSchema)])) as { [P in K]: TOptional<TString> };
}

/** Steps that pause the execution; a loop must pass through one of them. */
export const PAUSING_STEP_TYPES: readonly StepType[] = ['wait', 'approval'];

export const ACTION_TYPES = ['allow', 'block', 'execute', 'require_approval'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
/** The action's type, whichever of `type` or its alias `action` was written. */
export function actionTypeOf(action: { readonly type?: ActionType | undefined; readonly action?: ActionType | undefined }): ActionType | undefined {
  return action.type ?? action.action;
}

export const PARALLEL_STRATEGIES = ['all_must_pass', 'any_can_pass', 'best_effort'] as const;

/** Schemas a step may refer to; the validator swaps them for `unknown` and walks them itself. */
export interface StepRefs<S extends TSchema, C extends TSchema, I extends TSchema> {
  readonly step: S;
  readonly condition: C;
  readonly item: I;
}

function step<T extends StepType, P extends TProperties>(type: T, properties: P, options: { runs: boolean }) {
  const branches = branchProperties<(typeof STEP_BRANCHES)[T][number]>(STEP_BRANCHES[type]);
  // Timeout and retry bound running work; a pausing step has its own expiry instead.
  const running = options.runs ? { timeout: Type.Optional(DurationSchema), retry: Type.Optional(RetrySchema) } : {};
  return Type.Object(
    {
      id: IdSchema,
      type: Type.Literal(type),
      name: Type.Optional(NonEmptyString(200)),
      description: Type.Optional(Type.String({ maxLength: 4000 })),
      ...properties,
      ...running,
      ...branches,
    },
    { additionalProperties: false },
  );
}

export function stepSchemas<S extends TSchema, C extends TSchema, I extends TSchema>(refs: StepRefs<S, C, I>) {
  const items = (minItems: number) => Type.Array(refs.item, { minItems, maxItems: WORKFLOW_LIMITS.maxExecuteItems });
  return {
    condition: step('condition', { condition: Type.Optional(refs.condition), rule_id: Type.Optional(IdSchema) }, { runs: true }),
    action: step(
      'action',
      {
        action: Type.Object(
          { type: Type.Optional(StringEnum(ACTION_TYPES)), action: Type.Optional(StringEnum(ACTION_TYPES)), reason: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false, description: '`action` is an alias of `type`' },
        ),
        execute: Type.Optional(items(0)),
      },
      { runs: true },
    ),
    execute: step('execute', { execute: items(1) }, { runs: true }),
    parallel: step(
      'parallel',
      {
        parallel: Type.Object(
          {
            strategy: StringEnum(PARALLEL_STRATEGIES),
            steps: Type.Array(refs.step, { minItems: 1, maxItems: WORKFLOW_LIMITS.maxParallelBranches }),
          },
          { additionalProperties: false },
        ),
      },
      { runs: true },
    ),
    foreach: step(
      'foreach',
      {
        foreach: Type.Object(
          {
            items: TemplateSchema,
            item_var: Type.String({ pattern: ITEM_VAR_PATTERN, maxLength: 64 }),
            steps: Type.Array(refs.step, { minItems: 1 }),
          },
          { additionalProperties: false },
        ),
      },
      { runs: true },
    ),
    wait: step(
      'wait',
      {
        wait: Type.Object(
          {
            event: EventPatternSchema,
            timeout: DurationSchema,
            match: Type.Optional(Type.Object({ field: ContextPathSchema }, { additionalProperties: false })),
          },
          { additionalProperties: false },
        ),
      },
      { runs: false },
    ),
    approval: step(
      'approval',
      {
        approval: Type.Object(
          {
            approver_role: NonEmptyString(200),
            reason: Type.Optional(Type.String({ maxLength: 2000 })),
            expires_in: DurationSchema,
            entity: Type.Optional(NonEmptyString(200)),
            entity_id: Type.Optional(NonEmptyString(500)),
          },
          { additionalProperties: false },
        ),
      },
      { runs: false },
    ),
  };
}

export const StepSchema = Type.Recursive(
  (This) => Type.Union(Object.values(stepSchemas({ step: This, condition: ConditionSchema, item: ExecuteItemSchema }))),
  { $id: 'WorkflowStep' },
);
export type Step = Static<typeof StepSchema>;
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
