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

type Edge = StepNode['targets'][number];

/**
 * The branches a step can take without the execution pausing. A wait or approval pauses
 * before its other branches (next, on_timeout, on_approved, ...), but one that cannot start
 * (a missing correlation value, an empty approver role) fails at once and takes `on_error`.
 */
const edgesWithoutPause = (node: StepNode): readonly Edge[] => (pauses(node) ? node.targets.filter((edge) => edge.key === 'on_error') : node.targets);

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

function loopMessage(loop: readonly { from: StepNode; edge: Edge }[], head: StepNode): string {
  const viaError = loop.find(({ from }) => pauses(from));
  if (viaError === undefined) return `loops back to step "${head.id}" without passing through a wait or approval step`;
  const { from } = viaError;
  return `loops back to step "${head.id}" without pausing: the loop leaves ${from.type ?? 'pausing'} step "${from.id}" through on_error, which it takes at once, without waiting`;
}

/**
 * A loop reachable from the first step must pause (a wait or approval step, left through a
 * branch taken after the pause), or it would spin without end. Reports the branch that
 * closes each such loop.
 */
function checkCycles(walk: Walk, scope: Scope): void {
  const first = scope.nodes[0];
  if (first === undefined) return;
  const byId = new Map<string, StepNode>();
  for (const node of scope.nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  const state = new Map<StepNode, 'open' | 'done'>();
  // The branches taken from the root to the step being visited, to name what closes a loop.
  const path: { from: StepNode; edge: Edge }[] = [];
  const visit = (node: StepNode): void => {
    state.set(node, 'open');
    for (const edge of edgesWithoutPause(node)) {
      const next = byId.get(edge.target);
      if (next === undefined) continue;
      path.push({ from: node, edge });
      if (state.get(next) === 'open') {
        const loop = path.slice(path.findIndex(({ from }) => from === next));
        report(walk, edge.pointer, loopMessage(loop, next));
      } else if (!state.has(next)) visit(next);
      path.pop();
    }
    state.set(node, 'done');
  };
  for (const node of reachableFrom(first, byId)) if (!state.has(node)) visit(node);
}

/** Checks every step list: targets exist in the same list, and loops pause. */
export function checkGraph(walk: Walk): void {
  for (const scope of walk.scopes) {
    checkTargets(walk, scope);
    checkCycles(walk, scope);
  }
}
