import { isDeepStrictEqual } from 'node:util';
import type { ExecutionCommand, ExecutionEvent, RuleConditions } from '@iwf/contracts';
import type { ExecutionState } from '@iwf/command-service/engine/domain/execution/index';
import { decide, evolve, initialState, pendingWork } from '@iwf/command-service/engine/domain/execution/index';

/** Where the current engine would decide a recorded execution differently. */
export interface Divergence {
  /** Revision of the first recorded event of the decision that differs. */
  readonly revision: number;
  /** The command replayed there (what the runtime reported or asked for). */
  readonly command: string;
  /** Event types recorded from there (as many as the engine now decides, at least one). */
  readonly recorded: readonly string[];
  /** Event types the current engine decides for that command. */
  readonly replayed: readonly string[];
  /** The first event that differs, when the types agree but the data does not. */
  readonly detail?: { readonly index: number; readonly recorded: unknown; readonly replayed: unknown } | undefined;
}

/** Rule conditions as they were when a command was decided. */
export type RulesAt = (now: string) => RuleConditions;

type Candidate = { readonly name: string; readonly decide: (state: ExecutionState) => readonly ExecutionEvent[] };

/**
 * Replays a recorded execution through the current decider. The stream is a sequence of
 * decisions, each the events one command produced; the command is rebuilt from the first
 * event of a decision (an effect result, a delivery, a timer, ...). A decision matches when
 * the engine, given the state folded from the recorded events before it, decides exactly
 * the recorded events. The first decision that matches no candidate command is reported.
 */
export function replayExecution(events: readonly ExecutionEvent[], rulesAt: RulesAt = () => ({})): Divergence | undefined {
  let state: ExecutionState = initialState;
  let index = 0;
  while (index < events.length) {
    const head = events[index]!;
    let first: { candidate: Candidate; output: readonly ExecutionEvent[] } | undefined;
    let matched = 0;
    for (const candidate of candidatesFor(state, head, rulesAt)) {
      const output = attempt(candidate, state);
      first ??= { candidate, output };
      if (output.length > 0 && output.every((event, offset) => same(event, events[index + offset]))) {
        matched = output.length;
        break;
      }
    }
    if (matched === 0) return divergence(index, events, first);
    for (const event of events.slice(index, index + matched)) state = evolve(state, event);
    index += matched;
  }
  return undefined;
}

function attempt(candidate: Candidate, state: ExecutionState): readonly ExecutionEvent[] {
  try {
    return candidate.decide(state);
  } catch {
    // A refused command decides nothing; it cannot have produced the recorded events.
    return [];
  }
}

/** Commands that could have produced a decision starting with `head`, most likely first. */
function candidatesFor(state: ExecutionState, head: ExecutionEvent, rulesAt: RulesAt): Candidate[] {
  const now = timeOf(head) ?? ('updated_at' in state ? state.updated_at : '');
  const rules = rulesAt(now);
  const command = (built: ExecutionCommand): Candidate => ({ name: built.type, decide: (current) => decide(built, current) });
  const candidates: Candidate[] = [];
  if (head.type === 'ExecutionStarted') {
    // The start itself is given; what the engine did with it is what is checked.
    candidates.push({ name: 'StartExecution', decide: (current) => [head, ...decide({ type: 'Advance', data: { now, rules } }, evolve(current, head))] });
  }
  const reported = reportedCommand(head, now, rules);
  if (reported) candidates.push(command(reported));
  // Timers and a plain Advance (a decision cut at the step budget) can start almost any decision.
  for (const timer of pendingWork(state).timers) candidates.push(command({ type: 'FireTimer', data: { kind: timer.kind, timer_id: timer.timer_id, now, rules } }));
  candidates.push(command({ type: 'Advance', data: { now, rules } }));
  return candidates;
}

/** The command whose report or request `head` records: an effect result, a delivery, an approval, a cancel or retry. */
function reportedCommand(head: ExecutionEvent, now: string, rules: RuleConditions): ExecutionCommand | undefined {
  if (head.type === 'EffectCompleted' || head.type === 'EffectFailed') {
    const outcome = head.type === 'EffectCompleted' ? { status: 'completed' as const, result: head.data.result } : { status: 'failed' as const, error: head.data.error };
    return { type: 'RecordEffectResult', data: { effect_id: head.data.effect_id, outcome, now, rules } };
  }
  if (head.type === 'WaitEventDelivered') return { type: 'DeliverEvent', data: { event_id: head.data.event_id, event_type: head.data.event_type, payload: head.data.payload, now, rules } };
  if (head.type === 'ApprovalResolved') {
    const { approval_id, status, decided_by, comment } = head.data;
    return { type: 'ResolveApproval', data: { approval_id, status, decided_by, comment, now, rules } };
  }
  if (head.type === 'ExecutionCancelled') return { type: 'CancelExecution', data: { by: head.data.by, reason: head.data.reason, now } };
  if (head.type === 'ExecutionRetried') return { type: 'RetryExecution', data: { by: head.data.by, now, rules } };
  return undefined;
}

/** Every event carries the time of the command that decided it (`started_at` for the start). */
function timeOf(event: ExecutionEvent): string | undefined {
  const data = event.data as { at?: unknown; started_at?: unknown };
  const time = data.at ?? data.started_at;
  return typeof time === 'string' ? time : undefined;
}

/** Events compare as stored: through JSON, so absent and undefined fields are alike. */
function same(decided: ExecutionEvent, recorded: ExecutionEvent | undefined): boolean {
  return recorded !== undefined && decided.type === recorded.type && isDeepStrictEqual(json(decided.data), json(recorded.data));
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null)) as unknown;

function divergence(index: number, events: readonly ExecutionEvent[], first: { candidate: Candidate; output: readonly ExecutionEvent[] } | undefined): Divergence {
  const replayed = first?.output ?? [];
  const recorded = events.slice(index, index + Math.max(replayed.length, 1));
  const differs = replayed.findIndex((event, offset) => !same(event, recorded[offset]));
  const at = differs >= 0 && replayed[differs]?.type === recorded[differs]?.type ? differs : -1;
  return {
    revision: index,
    command: first?.candidate.name ?? 'Advance',
    recorded: recorded.map((event) => event.type),
    replayed: replayed.map((event) => event.type),
    detail: at >= 0 ? { index: at, recorded: recorded[at]?.data, replayed: json(replayed[at]?.data) } : undefined,
  };
}
