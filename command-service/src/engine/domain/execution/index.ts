export type {
  ActiveExecution,
  ApprovalLink,
  CompletedExecution,
  Cursor,
  ExecutionState,
  FailedExecution,
  PendingEffectState,
  RunProgress,
  RunStatus,
  StartedExecution,
  StepRun,
  Thread,
} from './state.js';
export { initialState, isActive } from './state.js';
export { evolve } from './evolve.js';
export { decide, executionDecider } from './decide.js';
export { MAX_EVENTS_PER_DECISION } from './interpreter.js';
export { openWaits, pendingWork } from './pending-work.js';
export { eventTypeMatches, matchingWaits } from './reactions.js';
export { referencedRuleIds } from './definition.js';
export { matchFieldOf } from './pause-steps.js';
export type { ApprovalState } from './approval/decider.js';
export { approvalDecider, decideApproval, evolveApproval, initialApprovalState, mayDecide } from './approval/decider.js';
export { applyLoadedResources, mergeInto } from './context.js';
