import type {
  DeliverEvent,
  ExecutionEvent,
  FireTimer,
  JsonRecord,
  LoadedResource,
  RecordEffectResult,
  ResolveApproval,
  Step,
} from '@iwf/contracts';
import { isPlainObject, jsonEquals } from '../json.js';
import { lookupPath } from '../templates/index.js';
import { findStep, targetOf } from './definition.js';
import { stepFailure } from './failure.js';
import { isDue, msBetween } from './progress.js';
import type { Env, Events } from './run-context.js';
import type { ActiveExecution, PendingEffectState, StepRun } from './state.js';
import { pendingTimers } from './timers.js';

/**
 * What the outside world reporting back means for an active execution. Anything that no
 * longer matches the state (an effect not awaited, a timer not pending, a wait or approval
 * already over) yields no events.
 */
export function onEffectResult(state: ActiveExecution, { data }: RecordEffectResult): Events {
  const effect = state.effects.find((candidate) => candidate.effect_id === data.effect_id);
  if (effect === undefined) return [];
  const { now } = data;
  if (data.outcome.status === 'completed') {
    const done: ExecutionEvent = { type: 'EffectCompleted', data: { effect_id: effect.effect_id, result: data.outcome.result ?? null, at: now } };
    return effect.kind === 'load_context' ? [done, contextLoaded(effect, data.outcome.result, now)] : [done];
  }
  const failed: ExecutionEvent = { type: 'EffectFailed', data: { effect_id: effect.effect_id, error: data.outcome.error, at: now } };
  if (effect.kind === 'load_context') return [failed, contextLoaded(effect, { failed: data.outcome.error.message }, now)];
  const entry = effect.run === null ? undefined : state.steps[effect.run];
  if (entry === undefined) return [failed];
  return [failed, stepFailure(entry, findStep(state.definition, entry.step_id), data.outcome.error, now)];
}

/** Loaded values as reported; resources the report does not describe are skipped or failed. */
function contextLoaded(effect: PendingEffectState, result: unknown, now: string): ExecutionEvent {
  const requested = isPlainObject(effect.request) && Array.isArray(effect.request['resources']) ? (effect.request['resources'] as unknown[]) : [];
  const report = isPlainObject(result) ? result : {};
  const values: JsonRecord = isPlainObject(report['values']) ? report['values'] : {};
  const described = Array.isArray(report['resources']) ? report['resources'].filter(isResource) : [];
  const failure = typeof report['failed'] === 'string' ? report['failed'] : undefined;
  const resources = requested.filter((name): name is string => typeof name === 'string').map(
    (name): LoadedResource =>
      described.find((resource) => resource.name === name) ??
      (failure !== undefined ? { name, status: 'failed', error: failure } : { name, status: name in values ? 'loaded' : 'skipped' }),
  );
  return { type: 'ContextLoaded', data: { resources, values, at: now } };
}

const isResource = (value: unknown): value is LoadedResource =>
  isPlainObject(value) && typeof value['name'] === 'string' && ['loaded', 'skipped', 'failed'].includes(value['status'] as string);

/** `order.*` matches `order.created`; a pattern without `*` matches only itself. */
export const eventTypeMatches = (pattern: string, type: string): boolean =>
  pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;

/** Ids written as text on one side and as a number on the other still correlate. */
const sameValue = (left: unknown, right: unknown): boolean =>
  jsonEquals(left, right) || (isScalarId(left) && isScalarId(right) && String(left) === String(right));
const isScalarId = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

/** The waits an ingested event resumes: type matches and its payload carries the awaited value. */
export function matchingWaits(state: ActiveExecution, eventType: string, payload: JsonRecord): readonly StepRun[] {
  return state.steps.filter((entry) => {
    const wait = entry.progress?.kind === 'wait' ? entry.progress.wait : null;
    if (entry.status !== 'waiting' || wait === null || !eventTypeMatches(wait.event_type, eventType)) return false;
    const found = lookupPath(payload, wait.match_field);
    return found.status === 'found' && sameValue(found.value, wait.match_value);
  });
}

/**
 * A matching event resumes each wait it matches. A wait whose deadline has come (its timer
 * may not have fired yet) is not resumed: it times out then, as the timer would have, so
 * when the timer fires nothing is left to do. A wait ending the execution ends the list.
 */
export function onDelivery(state: ActiveExecution, { data }: DeliverEvent): Events {
  if (state.delivered_event_ids.includes(data.event_id)) return [];
  const payload = isPlainObject(data.payload) ? data.payload : {};
  const events: ExecutionEvent[] = [];
  for (const entry of matchingWaits(state, data.event_type, payload)) {
    const ref = { run: entry.run, step_id: entry.step_id, path: entry.path, at: data.now };
    const step = findStep(state.definition, entry.step_id);
    const deadline = entry.progress?.kind === 'wait' ? (entry.progress.wait?.timeout_at ?? null) : null;
    if (deadline !== null && isDue(deadline, data.now)) {
      events.push(...waitTimedOut(state, entry, step, data.now));
      if (events.at(-1)?.type === 'ExecutionTimedOut') break;
      continue;
    }
    const next = step === undefined ? null : targetOf(step, 'next');
    events.push(
      { type: 'WaitEventDelivered', data: { ...ref, event_id: data.event_id, event_type: data.event_type, payload } },
      { type: 'StepCompleted', data: { ...ref, output: { event_id: data.event_id, event_type: data.event_type }, next } },
    );
  }
  return events;
}

/** The wait's deadline came: on to `on_timeout`, else the execution times out. */
function waitTimedOut(state: ActiveExecution, entry: StepRun, step: Step | undefined, now: string): Events {
  const ref = { run: entry.run, step_id: entry.step_id, path: entry.path, at: now };
  const onTimeout = step === undefined ? null : targetOf(step, 'on_timeout');
  const ending: ExecutionEvent =
    onTimeout === null
      ? { type: 'ExecutionTimedOut', data: { step_id: entry.step_id, reason: 'wait_timeout', at: now, duration_ms: msBetween(state.started_at, now) } }
      : { type: 'StepCompleted', data: { ...ref, output: { timed_out: true }, next: onTimeout } };
  return [{ type: 'WaitTimedOut', data: ref }, ending];
}

export function onApproval(state: ActiveExecution, { data }: ResolveApproval): Events {
  const entry = state.steps.find(
    (candidate) => candidate.status === 'waiting' && candidate.progress?.kind === 'approval' && candidate.progress.approval_id === data.approval_id,
  );
  const step = entry === undefined ? undefined : findStep(state.definition, entry.step_id);
  if (entry === undefined || step === undefined) return [];
  const ref = { run: entry.run, step_id: entry.step_id, path: entry.path, at: data.now };
  const decided = { status: data.status, decided_by: data.decided_by, comment: data.comment };
  const next = targetOf(step, data.status === 'approved' ? 'on_approved' : data.status === 'rejected' ? 'on_rejected' : 'on_expired');
  return [
    { type: 'ApprovalResolved', data: { ...ref, approval_id: data.approval_id, ...decided } },
    { type: 'StepCompleted', data: { ...ref, output: decided, next } },
  ];
}

export function onTimer(state: ActiveExecution, { data }: FireTimer, env: Env): Events {
  const timer = pendingTimers(state).find((candidate) => candidate.timer_id === data.timer_id && candidate.kind === data.kind);
  if (timer === undefined || !isDue(timer.due_at, data.now)) return [];
  const entry = timer.run === null ? undefined : state.steps[timer.run];
  const duration_ms = msBetween(state.started_at, data.now);
  if (timer.kind === 'execution_timeout') {
    const stepId = state.current_step?.step_id ?? null;
    return [{ type: 'ExecutionTimedOut', data: { step_id: stepId, reason: 'execution_timeout', at: data.now, duration_ms } }];
  }
  if (entry === undefined) return [];
  const step = findStep(state.definition, entry.step_id);
  const ref = { run: entry.run, step_id: entry.step_id, path: entry.path, at: env.now };
  switch (timer.kind) {
    case 'step_retry':
      return [{ type: 'StepStarted', data: { ...ref, thread: entry.thread, step_type: entry.step_type, attempt: entry.attempts + 1 } }];
    case 'step_timeout': {
      const error = { kind: 'timeout' as const, message: `step ${entry.step_id} exceeded its timeout` };
      const pending = state.effects.filter((effect) => effect.run === entry.run);
      const failedEffects = pending.map((effect): ExecutionEvent => ({ type: 'EffectFailed', data: { effect_id: effect.effect_id, error, at: env.now } }));
      return [...failedEffects, stepFailure(entry, step, error, env.now)];
    }
    case 'wait_timeout':
      return waitTimedOut(state, entry, step, env.now);
  }
}
