import type {
  ExecutionCommand,
  ExecutionError,
  ExecutionEvent,
  ExecutionTrigger,
  JsonRecord,
  PendingEffect,
  RuleConditions,
  Step,
  TimerKind,
  WorkflowDefinitionBody,
} from '@iwf/contracts';
import { decide } from './decide.js';
import { evolve } from './evolve.js';
import { pendingWork } from './pending-work.js';
import type { ExecutionState } from './state.js';
import { initialState } from './state.js';

/** Test support: a scripted runtime around the decider, so specs read as a conversation. */
export const T0 = '2024-05-01T10:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const definitionOf = (steps: readonly Step[], extra: Partial<WorkflowDefinitionBody> = {}): WorkflowDefinitionBody => ({
  trigger: { type: 'event', event: 'order.created' },
  steps: [...steps],
  ...extra,
});

export interface StartOptions {
  readonly payload?: JsonRecord;
  readonly eventType?: string;
  readonly rules?: RuleConditions;
  readonly now?: string;
}

export function startCommand(definition: WorkflowDefinitionBody, options: StartOptions = {}): ExecutionCommand {
  const eventType = options.eventType ?? (definition.trigger.type === 'event' ? definition.trigger.event.replace(/\*$/, 'any') : undefined);
  const now = options.now ?? T0;
  const event = eventType === undefined ? undefined : { id: 'evt-1', type: eventType, source: 'test', received_at: now };
  const trigger: ExecutionTrigger =
    eventType !== undefined
      ? { kind: 'event', event_id: 'evt-1', event_type: eventType, source: 'test' }
      : definition.trigger.type === 'schedule'
        ? { kind: 'schedule', scheduled_for: now }
        : { kind: 'manual', started_by: 'tester' };
  return {
    type: 'StartExecution',
    data: {
      execution_id: 'ex-1',
      workflow_id: 'wf',
      workflow_revision: 1,
      workflow_version: '1.0.0',
      definition,
      trigger,
      payload: options.payload ?? {},
      event,
      now,
      rules: options.rules,
    },
  };
}

export class Driver {
  state: ExecutionState = initialState;
  readonly history: ExecutionEvent[] = [];
  now = T0;

  constructor(private readonly rules: RuleConditions = {}) {}

  static start(definition: WorkflowDefinitionBody, options: StartOptions = {}): Driver {
    const driver = new Driver(options.rules);
    driver.send(startCommand(definition, options));
    return driver;
  }

  send(command: ExecutionCommand): readonly ExecutionEvent[] {
    const events = decide(command, this.state);
    for (const event of events) this.state = evolve(this.state, event);
    this.history.push(...events);
    return events;
  }

  later(seconds: number): this {
    this.now = new Date(Date.parse(this.now) + seconds * 1000).toISOString();
    return this;
  }

  get work() {
    return pendingWork(this.state);
  }

  effect(kind?: PendingEffect['kind']): PendingEffect {
    const effect = this.work.effects.find((candidate) => kind === undefined || candidate.kind === kind);
    if (effect === undefined) throw new Error(`no pending ${kind ?? ''} effect; pending: ${JSON.stringify(this.work.effects.map((e) => e.kind))}`);
    return effect;
  }

  complete(result: unknown = { status: 200, body: {} }, kind?: PendingEffect['kind']): readonly ExecutionEvent[] {
    const effect = this.effect(kind);
    return this.send({ type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome: { status: 'completed', result }, now: this.now, rules: this.rules } });
  }

  /** Completes every pending effect (and those they lead to) with a default result, until none is left. */
  completeAll(result: (effect: PendingEffect) => unknown = () => ({ status: 200, body: {} })): this {
    for (let guard = 0; guard < 200 && this.work.effects.length > 0; guard += 1) this.complete(result(this.effect()), this.effect().kind);
    return this;
  }

  fail(error: ExecutionError, kind?: PendingEffect['kind']): readonly ExecutionEvent[] {
    const effect = this.effect(kind);
    return this.send({ type: 'RecordEffectResult', data: { effect_id: effect.effect_id, outcome: { status: 'failed', error }, now: this.now, rules: this.rules } });
  }

  fire(kind: TimerKind): readonly ExecutionEvent[] {
    const timer = this.work.timers.find((candidate) => candidate.kind === kind);
    if (timer === undefined) throw new Error(`no ${kind} timer; pending: ${JSON.stringify(this.work.timers)}`);
    this.now = timer.due_at > this.now ? timer.due_at : this.now;
    return this.send({ type: 'FireTimer', data: { kind, timer_id: timer.timer_id, now: this.now, rules: this.rules } });
  }

  deliver(eventType: string, payload: JsonRecord, eventId = `evt-${this.history.length}`): readonly ExecutionEvent[] {
    return this.send({ type: 'DeliverEvent', data: { event_id: eventId, event_type: eventType, payload, now: this.now, rules: this.rules } });
  }

  resolve(status: 'approved' | 'rejected' | 'expired', approvalId = this.work.approvals[0]?.approval_id ?? 'none'): readonly ExecutionEvent[] {
    const decidedBy = status === 'expired' ? null : 'manager-1';
    return this.send({ type: 'ResolveApproval', data: { approval_id: approvalId, status, decided_by: decidedBy, comment: null, now: this.now, rules: this.rules } });
  }

  types(events: readonly ExecutionEvent[] = this.history): string[] {
    return events.map((event) => event.type);
  }

  /** The step runs in timeline order as `step_id:status`. */
  timeline(): string[] {
    return this.state.status === 'not_started' ? [] : this.state.steps.map((entry) => `${entry.step_id}:${entry.status}`);
  }
}
