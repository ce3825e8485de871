import type { SafeRegex } from '@iwf/contracts';
import type { JsonValue } from '../json.js';
import type { TemplateOptions } from '../templates/index.js';
import type { Operator } from './operators.js';

/** A condition checked for shape: every pointer is an RFC 6901 pointer into the condition. */
export type ConditionNode =
  | {
      readonly kind: 'leaf';
      readonly pointer: string;
      readonly field: string;
      readonly operator: Operator;
      /** The `value` template, rendered at evaluation; undefined for exists/not_exists. */
      readonly value: unknown;
      /** Compiled once when a `regex` pattern has no template in it. */
      readonly regex?: SafeRegex;
    }
  | { readonly kind: 'and' | 'or'; readonly pointer: string; readonly items: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly pointer: string; readonly item: ConditionNode };

export interface ConditionError {
  readonly message: string;
  /** Where in the condition, e.g. `/or/1/value`. */
  readonly pointer: string;
  /** The context path involved, when there is one. */
  readonly path?: string;
}

/** One evaluated leaf, for the execution history. Leaves skipped by short-circuit are absent. */
export interface LeafTrace {
  readonly pointer: string;
  readonly field: string;
  readonly operator: Operator;
  /** The field's value; absent when the field is missing. */
  readonly actual?: JsonValue;
  /** The rendered `value`; absent for exists/not_exists or when it could not be rendered. */
  readonly expected?: JsonValue;
  readonly result: boolean | 'error';
}

export type ConditionResult =
  | { readonly ok: true; readonly value: boolean; readonly trace: readonly LeafTrace[] }
  | { readonly ok: false; readonly error: ConditionError; readonly trace: readonly LeafTrace[] };

export type ParsedCondition =
  | { readonly ok: true; readonly condition: ConditionNode }
  | { readonly ok: false; readonly error: ConditionError };

export interface ConditionOptions extends TemplateOptions {
  /** Nesting levels allowed, the root counting as one. */
  readonly maxDepth?: number;
  /** Instruction visits allowed per regex match. */
  readonly regexStepBudget?: number;
}

export const DEFAULT_MAX_CONDITION_DEPTH = 16;
