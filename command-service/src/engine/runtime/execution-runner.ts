import type { EventMetadata, ExecutionCommand, ExecutionEvent } from '@iwf/contracts';
import type { LogPosition } from '@iwf/contracts';
import { WrongExpectedRevisionError, currentSchemaVersion, streamId, upcastRecorded } from '@iwf/contracts';
import type { ExecutionState } from '../domain/execution/index.js';
import { decide, evolve, initialState, isActive, pendingWork, referencedRuleIds } from '../domain/execution/index.js';
import { requireRevision } from '../../command-handling/handle-command.js';
import { KeyedMutex } from './keyed-mutex.js';
import { laterPosition } from './settle.js';
import { indexedWaits, openedAfterAppend, openedAt, openedInStream, waitingRuns } from './open-waits.js';
import { syncWork } from './work-sync.js';
import type { Actor, Applied, EngineCommand, Loaded, Origin, RunnerDeps, SendOptions } from './runner-types.js';

export type { Actor, Applied, EngineCommand, Loaded, Origin, RunnerDeps, RunnerHooks } from './runner-types.js';

const MAX_ATTEMPTS = 12;
const CACHE_SIZE = 2_000;

/**
 * The one path every execution command takes: fold (from a small cache, or the stream),
 * decide, append at the revision read, then sync the execution's work rows and hand what
 * they claimed to the hooks. A conflicting writer (another process) makes the append fail:
 * the command is decided again on the fresh stream. Waits an append opens are handed to the
 * hooks once their rows are written, to be offered what was recorded meanwhile.
 */
export class ExecutionRunner {
  private readonly mutex = new KeyedMutex();
  private readonly cache = new Map<string, Loaded>();

  constructor(private readonly deps: RunnerDeps) {}

  send(tenant: string, executionId: string, command: EngineCommand, actor: Actor, options: SendOptions = {}): Promise<Applied> {
    const stream = streamId('execution', tenant, executionId);
    return this.mutex.run(stream, () => this.apply(tenant, executionId, stream, command, actor, options));
  }

  /** The execution as this process last saw it (its origin and definition never change). */
  async peek(tenant: string, executionId: string): Promise<Loaded> {
    const stream = streamId('execution', tenant, executionId);
    return this.cache.get(stream) ?? this.load(stream);
  }

  /** The execution as the log has it now (bypassing the cache). */
  read(tenant: string, executionId: string): Promise<Loaded> {
    return this.load(streamId('execution', tenant, executionId));
  }

  private async apply(tenant: string, executionId: string, stream: string, command: EngineCommand, actor: Actor, options: SendOptions): Promise<Applied> {
    let useCache = true;
    for (let attempt = 1; ; attempt += 1) {
      const cached = useCache ? (this.cache.get(stream) ?? this.assumeNew(command)) : undefined;
      const loaded = cached ?? (await this.load(stream));
      const allowed = options.onlyIf?.(loaded.state) ?? true;
      const events = allowed ? await this.decideOn(tenant, command, loaded.state, cached !== undefined) : [];
      // The cache may be behind another process: a no-op or a refusal is only trusted on a fresh read.
      if (events === undefined || (events.length === 0 && cached !== undefined)) {
        useCache = false;
        continue;
      }
      // The client's revision is checked against the stream: a cache that differs is read again first.
      if (options.ifMatch !== undefined && options.ifMatch !== loaded.revision) {
        if (cached === undefined) requireRevision(options.ifMatch, loaded.revision);
        useCache = false;
        continue;
      }
      if (events.length === 0) {
        const resynced = command.type === 'FireTimer' || command.type === 'RecordEffectResult' || command.type === 'Advance';
        const withdrawn = resynced ? await this.sync(tenant, executionId, loaded, actor) : undefined;
        return { ...loaded, appended: 0, position: laterPosition(loaded.position, withdrawn) };
      }
      const origin = loaded.origin ?? { correlation_id: actor.correlation_id ?? this.deps.newId(), chain_depth: actor.chain_depth ?? 0 };
      try {
        const result = await this.deps.store.append(stream, events.map((event) => this.newEvent(tenant, event, actor, origin)), loaded.revision < 0 ? 'no_stream' : loaded.revision);
        const state = events.reduce(evolve, loaded.state);
        const opened = openedAfterAppend(loaded.opened, events, result.position, state);
        const next: Loaded = { state, revision: result.next_revision, origin, position: result.position, opened };
        this.remember(stream, next);
        // An execution that began and ended in this one append has no rows to keep.
        let withdrawn: LogPosition | undefined;
        if (isActive(next.state) || loaded.revision >= 0) withdrawn = await this.sync(tenant, executionId, next, actor);
        else this.publish(tenant, executionId, next);
        const runs = openedAt(opened, result.position);
        if (runs.length > 0) this.deps.hooks.waitsOpened(tenant, executionId, next, runs);
        return { ...next, appended: events.length, position: laterPosition(next.position, withdrawn) };
      } catch (error) {
        this.cache.delete(stream);
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
        useCache = false;
      }
    }
  }

  /** The decision, or undefined when a cached state refused the command (it is decided again, fresh). */
  private async decideOn(tenant: string, command: EngineCommand, state: ExecutionState, cached: boolean): Promise<readonly ExecutionEvent[] | undefined> {
    const full = await this.withRules(tenant, command, state);
    try {
      return decide(full, state);
    } catch (error) {
      if (cached) return undefined;
      throw error;
    }
  }

  /** A start needs no read: the append expects no stream, and a repeat falls back to reading. */
  private assumeNew(command: EngineCommand): Loaded | undefined {
    return command.type === 'StartExecution' ? { state: initialState, revision: -1, origin: undefined, position: undefined, opened: new Map() } : undefined;
  }

  private async withRules(tenant: string, command: EngineCommand, state: ExecutionState): Promise<ExecutionCommand> {
    const now = this.deps.clock().toISOString();
    const definition = command.type === 'StartExecution' ? command.data.definition : state.status === 'not_started' ? undefined : state.definition;
    const ids = definition === undefined ? [] : referencedRuleIds(definition);
    const rules = ids.length === 0 ? {} : await this.deps.rules(tenant, ids);
    const data = command.type === 'CancelExecution' ? { ...command.data, now } : { ...command.data, now, rules };
    return { type: command.type, data } as ExecutionCommand;
  }

  private newEvent(tenant: string, event: ExecutionEvent, actor: Actor, origin: Origin) {
    const metadata: EventMetadata = {
      tenant,
      actor: actor.actor,
      correlation_id: origin.correlation_id,
      causation_id: actor.causation_id,
      ...(actor.traceparent ? { traceparent: actor.traceparent } : {}),
      chain_depth: origin.chain_depth,
    };
    return { event_id: this.deps.newId(), type: event.type, schema_version: currentSchemaVersion(event.type), data: event.data, metadata };
  }

  private async load(stream: string): Promise<Loaded> {
    const recorded = await this.deps.store.readStream(stream);
    let state: ExecutionState = initialState;
    for (const event of recorded) state = evolve(state, upcastRecorded(event) as unknown as ExecutionEvent);
    const first = recorded[0]?.metadata;
    const origin = first === undefined ? undefined : { correlation_id: first.correlation_id, chain_depth: Number(first['chain_depth'] ?? 0) };
    const loaded = { state, revision: recorded.at(-1)?.stream_revision ?? -1, origin, position: recorded.at(-1)?.position, opened: openedInStream(recorded, state) };
    if (loaded.revision >= 0) this.remember(stream, loaded);
    return loaded;
  }

  /** Re-derives the execution's rows from the log (crash repair); its open waits are offered what they missed. */
  async resync(tenant: string, executionId: string): Promise<Loaded> {
    const stream = streamId('execution', tenant, executionId);
    return this.mutex.run(stream, async () => {
      const loaded = await this.load(stream);
      if (loaded.revision < 0) return loaded;
      await this.sync(tenant, executionId, loaded, { actor: 'system:engine' });
      const runs = waitingRuns(loaded.state);
      if (runs.length > 0) this.deps.hooks.waitsOpened(tenant, executionId, loaded, runs);
      return loaded;
    });
  }

  /** Writes the rows, hands on what they claimed; the position of the withdrawals it made (an ending's). */
  private async sync(tenant: string, executionId: string, loaded: Loaded, actor: Actor): Promise<LogPosition | undefined> {
    const { state } = loaded;
    if (state.status === 'not_started') return undefined;
    const work = pendingWork(state);
    const { claimed, withdrawing } = await syncWork(
      this.deps.pool,
      { tenant, execution_id: executionId, workflow_id: state.workflow_id, revision: loaded.revision, work, waits: indexedWaits(state, loaded.opened) },
      { claimer: this.deps.claimer, leaseMs: this.deps.leaseMs, now: this.deps.clock() },
    );
    this.publish(tenant, executionId, loaded);
    this.deps.hooks.afterSync(tenant, executionId, loaded, work, claimed);
    return withdrawing.length === 0 ? undefined : this.deps.hooks.withdraw(tenant, executionId, loaded, withdrawing, actor);
  }

  private publish(tenant: string, executionId: string, loaded: Loaded): void {
    const { state } = loaded;
    if (state.status === 'not_started') return;
    this.deps.bus.publish({
      tenant,
      execution_id: executionId,
      workflow_id: state.workflow_id,
      status: state.status,
      decision: state.decision,
      revision: loaded.revision,
      position: loaded.position,
    });
  }

  private remember(stream: string, loaded: Loaded): void {
    this.cache.delete(stream);
    this.cache.set(stream, loaded);
    if (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
