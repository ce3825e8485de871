import type { FieldError } from '../shared/errors.js';
import { parseDuration } from '../shared/duration.js';
import type { BranchKey, StepType } from './schema-steps.js';
import { WORKFLOW_LIMITS } from './limits.js';

/** A step as the graph checks see it. */
export interface StepNode {
  readonly id: string;
  /** Undefined when the type is unknown (already reported); such a step ends the flow. */
  readonly type: StepType | undefined;
  readonly pointer: string;
  readonly targets: readonly { readonly key: BranchKey; readonly target: string; readonly pointer: string }[];
}

/** A list of steps whose branch targets resolve among themselves. */
export interface Scope {
  readonly kind: 'top' | 'parallel' | 'foreach';
  readonly nodes: StepNode[];
}

/** State of one validation pass: every error found, not just the first. */
export interface Walk {
  readonly errors: FieldError[];
  /** First pointer of each step id, to report duplicates. */
  readonly ids: Map<string, string>;
  readonly scopes: Scope[];
  stepCount: number;
}

export const newWalk = (): Walk => ({ errors: [], ids: new Map(), scopes: [], stepCount: 0 });

export function report(walk: Walk, pointer: string, message: string): void {
  walk.errors.push({ pointer, message });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: `~` and `/` in a key are escaped. */
export function pointerTo(base: string, key: string | number): string {
  return `${base}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

const MAX_DAYS = WORKFLOW_LIMITS.maxDurationMs / 86_400_000;

/** Checks a duration field when present and a string (the schema reports other types). */
export function checkDuration(walk: Walk, value: unknown, pointer: string): void {
  if (typeof value !== 'string') return;
  const ms = parseDuration(value);
  if (ms === undefined) report(walk, pointer, `"${value.slice(0, 64)}" is not a duration; use e.g. 250ms, 30s, 5m, 1h30m, 48h, 7d`);
  else if (ms <= 0) report(walk, pointer, 'must be longer than zero');
  else if (ms > WORKFLOW_LIMITS.maxDurationMs) report(walk, pointer, `must be at most ${MAX_DAYS}d`);
}

const SECRET_REF = /(\{\{|\$\{)\s*secrets\b/;

/**
 * Reports every string under `value` that references `secrets.*`. Used where a resolved
 * value would be written to an event or a log line.
 */
export function rejectSecrets(walk: Walk, value: unknown, pointer: string): void {
  if (typeof value === 'string') {
    if (SECRET_REF.test(value)) report(walk, pointer, 'secrets may only be used in http_request/webhook items and notify recipients');
  } else if (Array.isArray(value)) {
    value.forEach((entry, index) => rejectSecrets(walk, entry, pointerTo(pointer, index)));
  } else if (isObject(value)) {
    for (const [key, entry] of Object.entries(value)) rejectSecrets(walk, entry, pointerTo(pointer, key));
  }
}
