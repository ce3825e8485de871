import type { BranchKey, Step, WorkflowDefinitionBody } from '@iwf/contracts';

/** Where a step is: its definition and the list it belongs to (null: the top-level list). */
export interface StepEntry {
  readonly step: Step;
  readonly container: string | null;
  readonly list: readonly Step[];
}

// Definitions are immutable snapshots, so an index built once per object stays valid.
const indexes = new WeakMap<WorkflowDefinitionBody, ReadonlyMap<string, StepEntry>>();

/** Every step of the definition by id, nested ones included (ids are unique definition-wide). */
export function stepIndex(definition: WorkflowDefinitionBody): ReadonlyMap<string, StepEntry> {
  const cached = indexes.get(definition);
  if (cached !== undefined) return cached;
  const index = new Map<string, StepEntry>();
  const pending: { list: readonly Step[]; container: string | null }[] = [{ list: definition.steps, container: null }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const step of next.list) {
      if (!index.has(step.id)) index.set(step.id, { step, container: next.container, list: next.list });
      const inner = innerSteps(step);
      if (inner !== undefined) pending.push({ list: inner, container: step.id });
    }
  }
  indexes.set(definition, index);
  return index;
}

export const findStep = (definition: WorkflowDefinitionBody, id: string): Step | undefined => stepIndex(definition).get(id)?.step;

/** The steps of a parallel or foreach block. */
export function innerSteps(step: Step): readonly Step[] | undefined {
  if (step.type === 'parallel') return step.parallel.steps;
  if (step.type === 'foreach') return step.foreach.steps;
  return undefined;
}

/** A branch target of a step, or null when the key is absent. */
export function targetOf(step: Step, key: BranchKey): string | null {
  const value = (step as Readonly<Record<string, unknown>>)[key];
  return typeof value === 'string' ? value : null;
}

const BRANCH_KEYS: readonly BranchKey[] = ['next', 'on_true', 'on_false', 'on_error', 'on_timeout', 'on_approved', 'on_rejected', 'on_expired'];

/**
 * The branches of a parallel block: each step of its list that no other step of the list
 * targets starts one branch, which then follows its targets within the list.
 */
export function branchRoots(list: readonly Step[]): readonly string[] {
  const targeted = new Set<string>();
  for (const step of list) {
    for (const key of BRANCH_KEYS) {
      const target = targetOf(step, key);
      if (target !== null && target !== step.id) targeted.add(target);
    }
  }
  const roots = list.filter((step) => !targeted.has(step.id)).map((step) => step.id);
  // A list where every step is targeted (a loop) still starts at its first step.
  return roots.length > 0 ? roots : list.slice(0, 1).map((step) => step.id);
}

/** Ids of stored rules the definition's conditions reference, for the runtime to supply. */
export function referencedRuleIds(definition: WorkflowDefinitionBody): readonly string[] {
  const ids = new Set<string>();
  for (const { step } of stepIndex(definition).values()) {
    if (step.type !== 'condition') continue;
    if (typeof step.rule_id === 'string') ids.add(step.rule_id);
    collectRuleRefs(step.condition, ids);
  }
  return [...ids].sort();
}

function collectRuleRefs(condition: unknown, ids: Set<string>): void {
  const pending: unknown[] = [condition];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) pending.push(...(node as unknown[]));
    else {
      const record = node as Readonly<Record<string, unknown>>;
      if (typeof record['rule_id'] === 'string') ids.add(record['rule_id']);
      pending.push(record['and'], record['or'], record['not']);
    }
  }
}
