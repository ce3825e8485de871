import type { ExecutionCommand, ExecutionEvent, StartExecution, WorkflowDefinitionBody } from '@iwf/contracts';
import { DomainError, parseDuration } from '@iwf/contracts';
import { initialContext } from './context.js';
import { evolve } from './evolve.js';
import { advance } from './interpreter.js';
import { addMs, msBetween } from './progress.js';
import { onApproval, onDelivery, onEffectResult, onTimer } from './reactions.js';
import type { Env, Events } from './run-context.js';
import type { ActiveExecution, ExecutionState } from './state.js';
import { initialState, isActive } from './state.js';

/**
 * The execution decider: the workflow interpreter as a pure function. Every command but
 * Cancel first records what it reports, then advances: runs steps until every thread waits
 * on an effect, a timer, an event or an approval. Commands from the engine (results,
 * deliveries, timers, approvals) that no longer match the state yield no events; commands
 * from people (cancel, retry) on an execution in the wrong state are refused.
 */
export function decide(command: ExecutionCommand, state: ExecutionState): Events {
  const env: Env = { now: command.data.now, rules: 'rules' in command.data ? (command.data.rules ?? {}) : {} };
  switch (command.type) {
    case 'StartExecution':
      return state.status === 'not_started' ? continueWith(state, [started(command)], env) : alreadyStarted(state, command);
    case 'Advance':
      return isActive(state) ? advance(state, env).events : [];
    case 'RecordEffectResult':
      return isActive(state) ? continueWith(state, onEffectResult(state, command), env) : [];
    case 'DeliverEvent':
      return isActive(state) ? continueWith(state, onDelivery(state, command), env) : [];
    case 'FireTimer':
      return isActive(state) ? continueWith(state, onTimer(state, command, env), env) : [];
    case 'ResolveApproval':
      return isActive(state) ? continueWith(state, onApproval(state, command), env) : [];
    case 'CancelExecution': {
      const active = requireActive(state, 'cancel');
      const data = { by: command.data.by, reason: command.data.reason, at: env.now, duration_ms: msBetween(active.started_at, env.now) };
      return [{ type: 'ExecutionCancelled', data }];
    }
    case 'RetryExecution':
      return retry(state, command.data.by, env);
  }
}

/** The command's own events, then whatever they let the execution do next. */
function continueWith(state: ExecutionState, first: Events, env: Env): Events {
  if (first.length === 0) return [];
  const folded = first.reduce(evolve, state);
  return [...first, ...advance(folded, env).events];
}

/** The execution's deadline under the definition's `timeout`, counted from `from`; null without one. */
function executionDeadline(definition: WorkflowDefinitionBody, from: string): string | null {
  const timeoutMs = definition.timeout === undefined ? undefined : parseDuration(definition.timeout);
  return timeoutMs === undefined ? null : addMs(from, timeoutMs);
}

function started(command: StartExecution): ExecutionEvent {
  const { data } = command;
  return {
    type: 'ExecutionStarted',
    data: {
      execution_id: data.execution_id,
      workflow_id: data.workflow_id,
      workflow_revision: data.workflow_revision,
      workflow_version: data.workflow_version,
      definition: data.definition,
      trigger: data.trigger,
      context: initialContext(data.payload, data.event),
      started_at: data.now,
      timeout_at: executionDeadline(data.definition, data.now),
    },
  };
}

/** Starting the same execution again is a no-op (ingestion retries); another workflow under its id is a conflict. */
function alreadyStarted(state: Exclude<ExecutionState, { status: 'not_started' }>, command: StartExecution): Events {
  if (state.workflow_id === command.data.workflow_id) return [];
  throw new DomainError('conflict', `Execution ${command.data.execution_id} already exists.`, [], 'execution-exists');
}

function requireActive(state: ExecutionState, action: string): ActiveExecution {
  if (state.status === 'not_started') throw new DomainError('not_found', 'The execution does not exist.');
  if (!isActive(state)) throw new DomainError('illegal_state', `Cannot ${action} an execution that is ${state.status}.`);
  return state;
}

function retry(state: ExecutionState, by: string, env: Env): Events {
  if (state.status === 'not_started') throw new DomainError('not_found', 'The execution does not exist.');
  if (state.status !== 'failed') throw new DomainError('illegal_state', `Only a failed execution can be retried; this one is ${state.status}.`);
  const entry = state.failed_run === null ? undefined : state.steps[state.failed_run];
  if (entry === undefined) throw new DomainError('illegal_state', 'The execution did not fail in a step, so there is no step to retry from.');
  const ref = { run: entry.run, step_id: entry.step_id, path: entry.path, at: env.now };
  // The definition's timeout bounds each run of the execution: a retry after the first
  // deadline would otherwise send its effect again and time out at once.
  const timeoutAt = executionDeadline(state.definition, env.now);
  return continueWith(state, [
    { type: 'ExecutionRetried', data: { from_step_id: entry.step_id, run: entry.run, by, at: env.now, ...(timeoutAt === null ? {} : { timeout_at: timeoutAt }) } },
    { type: 'StepStarted', data: { ...ref, thread: entry.thread, step_type: entry.step_type, attempt: entry.attempts + 1 } },
  ], env);
}

export const executionDecider = { initialState, evolve, decide };
