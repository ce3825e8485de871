import { Type } from '@sinclair/typebox';
import { BRANCH_KEYS, PAUSING_STEP_TYPES, STEP_BRANCHES, STEP_TYPES, stepSchemas } from './schema-steps.js';
import type { BranchKey, StepType } from './schema-steps.js';
import { schemaErrors } from './schema-errors.js';
import { unknownKey } from './suggest.js';
import { WORKFLOW_LIMITS } from './limits.js';
import { checkStepSettings } from './validate-step-settings.js';
import { isObject, pointerTo, report } from './walk.js';
import type { Scope, StepNode, Walk } from './walk.js';

/** Step shapes with nested steps, conditions and items left open: they are walked one by one. */
const SHALLOW = stepSchemas({ step: Type.Unknown(), condition: Type.Unknown(), item: Type.Unknown() });

function isStepType(value: unknown): value is StepType {
  return typeof value === 'string' && (STEP_TYPES as readonly string[]).includes(value);
}

function isBranchKey(key: string): key is BranchKey {
  return (BRANCH_KEYS as readonly string[]).includes(key);
}

function keyHint(type: StepType): (key: string) => string {
  const allowed = Object.keys(SHALLOW[type].properties);
  const branches: readonly string[] = STEP_BRANCHES[type];
  return (key) =>
    isBranchKey(key)
      ? `"${key}" is not a branch of a ${type} step; its branches are ${branches.join(', ')}`
      : unknownKey('step', key, allowed);
}

function registerId(walk: Walk, step: Record<string, unknown>, pointer: string): string | undefined {
  const id = step['id'];
  if (typeof id !== 'string') return undefined;
  const first = walk.ids.get(id);
  if (first === undefined) walk.ids.set(id, pointer);
  else report(walk, pointerTo(pointer, 'id'), `duplicate step id "${id}" (first used by ${first})`);
  return id;
}

function targetsOf(type: StepType, step: Record<string, unknown>, pointer: string): StepNode['targets'] {
  return STEP_BRANCHES[type].flatMap((key) => {
    const target = step[key];
    return typeof target === 'string' ? [{ key, target, pointer: pointerTo(pointer, key) }] : [];
  });
}

/** Rules that depend on where the step sits: inside a parallel block, or nested at all. */
function checkPlacement(walk: Walk, type: StepType, step: Record<string, unknown>, pointer: string, scope: Scope, depth: number): void {
  if (scope.kind === 'parallel') {
    for (const key of Object.keys(step).filter(isBranchKey)) {
      report(walk, pointerTo(pointer, key), 'a parallel branch is a single step; branch targets are not allowed inside parallel.steps');
    }
  }
  if (depth > 0 && PAUSING_STEP_TYPES.includes(type)) {
    report(walk, pointerTo(pointer, 'type'), `${type} steps are only allowed at the top level, not inside parallel or foreach`);
  }
}

function validateStep(walk: Walk, step: unknown, pointer: string, scope: Scope, depth: number): void {
  walk.stepCount += 1;
  if (walk.stepCount === WORKFLOW_LIMITS.maxSteps + 1) {
    report(walk, pointer, `a definition may have at most ${WORKFLOW_LIMITS.maxSteps} steps, nested ones included`);
  }
  if (!isObject(step)) {
    report(walk, pointer, 'must be an object');
    return;
  }
  const id = registerId(walk, step, pointer);
  const type = step['type'];
  if (!isStepType(type)) {
    const message = type === undefined ? 'is required' : `unknown step type; use one of ${STEP_TYPES.join(', ')}`;
    report(walk, pointerTo(pointer, 'type'), message);
    if (id !== undefined) scope.nodes.push({ id, type: undefined, pointer, targets: [] });
    return;
  }
  walk.errors.push(...schemaErrors(SHALLOW[type], step, pointer, keyHint(type)));
  checkPlacement(walk, type, step, pointer, scope, depth);
  // Targets inside a parallel block are already rejected; do not report them twice.
  const targets = scope.kind === 'parallel' ? [] : targetsOf(type, step, pointer);
  if (id !== undefined) scope.nodes.push({ id, type, pointer, targets });
  checkStepSettings(walk, type, step, pointer, (list, at, kind) => validateNested(walk, list, at, kind, depth));
}

function validateNested(walk: Walk, list: unknown, pointer: string, kind: 'parallel' | 'foreach', depth: number): void {
  if (depth + 1 > WORKFLOW_LIMITS.maxNestingDepth) {
    report(walk, pointer, `parallel and foreach blocks may nest at most ${WORKFLOW_LIMITS.maxNestingDepth} levels deep`);
    return;
  }
  validateStepList(walk, list, pointer, kind, depth + 1);
}

/** Validates a list of steps and records it as a scope for the graph checks. */
export function validateStepList(walk: Walk, list: unknown, pointer: string, kind: Scope['kind'], depth = 0): void {
  if (!Array.isArray(list)) return;
  const scope: Scope = { kind, nodes: [] };
  walk.scopes.push(scope);
  list.forEach((step, index) => validateStep(walk, step, pointerTo(pointer, index), scope, depth));
}
