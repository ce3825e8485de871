import { PAUSING_STEP_TYPES } from './schema-steps.js';
import { report } from './walk.js';
import type { Scope, StepNode, Walk } from './walk.js';

function checkTargets(walk: Walk, scope: Scope): void {
  const local = new Set(scope.nodes.map((node) => node.id));
  for (const node of scope.nodes) {
    for (const { target, pointer } of node.targets) {
      if (local.has(target)) continue;
      const message = walk.ids.has(target)
        ? `step "${target}" is in another step list; a target must be in the same list as its step`
        : `no step has the id "${target}"`;
      report(walk, pointer, message);
    }
  }
}

const pauses = (node: StepNode): boolean => node.type !== undefined && PAUSING_STEP_TYPES.includes(node.type);

function reachableFrom(first: StepNode, byId: ReadonlyMap<string, StepNode>): Set<StepNode> {
  const seen = new Set<StepNode>([first]);
  const queue = [first];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const { target } of node.targets) {
      const next = byId.get(target);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/**
 * A loop reachable from the first step must pass through a wait or approval step, or it
 * would spin without ever pausing. Reports the branch that closes each such loop.
 */
function checkCycles(walk: Walk, scope: Scope): void {
  const first = scope.nodes[0];
  if (first === undefined) return;
  const byId = new Map<string, StepNode>();
  for (const node of scope.nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  const state = new Map<StepNode, 'open' | 'done'>();
  const visit = (node: StepNode): void => {
    state.set(node, 'open');
    for (const { target, pointer } of node.targets) {
      const next = byId.get(target);
      if (next === undefined || pauses(next)) continue;
      if (state.get(next) === 'open') {
        report(walk, pointer, `loops back to step "${next.id}" without passing through a wait or approval step`);
      } else if (!state.has(next)) visit(next);
    }
    state.set(node, 'done');
  };
  for (const node of reachableFrom(first, byId)) if (!pauses(node) && !state.has(node)) visit(node);
}

/** Checks every step list: targets exist in the same list, and loops pause. */
export function checkGraph(walk: Walk): void {
  for (const scope of walk.scopes) {
    checkTargets(walk, scope);
    checkCycles(walk, scope);
  }
}
