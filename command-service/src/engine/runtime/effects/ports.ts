import type { EventStore } from '@iwf/contracts';
import { EVENT_TYPE_PATTERN, isValidId, streamId } from '@iwf/contracts';
import type { ApprovalService } from '../../../approvals/service.js';
import type { IngestAnswer, IngestRequest } from '../../../ingest/ingest.js';
import type { EnrichmentSettings } from '../../adapters/enrichment.js';
import type { HttpSettings } from '../../adapters/http.js';
import type { NotifySettings } from '../../adapters/notify.js';
import type { SecretStore } from '../../adapters/secrets.js';
import type { Actor, ExecutionRunner } from '../execution-runner.js';
import { engineIds } from '../ids.js';
import type { ClaimedEffect } from '../work-sync.js';
import type { EffectPorts } from './perform.js';
import { EffectRefused } from './perform.js';

export interface PortDeps {
  readonly store: EventStore;
  readonly runner: ExecutionRunner;
  readonly approvals: ApprovalService;
  readonly ingest: (tenant: string, request: IngestRequest, actor: Actor) => Promise<IngestAnswer>;
  readonly settings: { readonly http: HttpSettings; readonly notify: NotifySettings; readonly enrichment: EnrichmentSettings };
  readonly secrets: SecretStore;
  readonly maxChainDepth: number;
}

const EVENT_TYPE = new RegExp(EVENT_TYPE_PATTERN);
const ENGINE = 'system:engine';

/** The engine's own effects: integration events, chained ingests, approvals, context loading. */
export function createEffectPorts(deps: PortDeps): EffectPorts {
  const originOf = async (effect: ClaimedEffect) => (await deps.runner.peek(effect.tenant, effect.execution_id)).origin;
  return {
    ...deps.settings,
    secrets: deps.secrets,
    async publishRecord(effect, request) {
      // One stream per entity type, for the system of record to follow; the event id comes from
      // the effect's key and its content from the request, so a repeat appends nothing.
      const entity = isValidId(request.entity) ? request.entity : 'record';
      const stream = `integration:${effect.tenant}:${entity}`;
      const eventId = engineIds.recordEvent(effect.tenant, effect.idempotency_key);
      const origin = await originOf(effect);
      const data = { ...request, execution_id: effect.execution_id, idempotency_key: effect.idempotency_key };
      const metadata = { tenant: effect.tenant, actor: ENGINE, correlation_id: origin?.correlation_id ?? effect.execution_id };
      await deps.store.append(stream, [{ event_id: eventId, type: request.event_type, data, metadata }], 'any');
      return { stream_id: stream, event_id: eventId };
    },
    async emit(effect, request) {
      const origin = await originOf(effect);
      const depth = (origin?.chain_depth ?? 0) + 1;
      if (depth > deps.maxChainDepth) {
        throw new EffectRefused({ kind: 'invalid', message: `emit refused: the event chain would be ${depth} deep (ENGINE_MAX_CHAIN_DEPTH is ${deps.maxChainDepth})` });
      }
      if (!EVENT_TYPE.test(request.event_type)) throw new EffectRefused({ kind: 'invalid', message: `emit refused: "${request.event_type}" is not an event type` });
      // Performed by the previous version already (under the id without the prefix), by the engine itself.
      const [legacy] = await deps.store.readStream(streamId('ingest', effect.tenant, engineIds.legacyEmittedEvent(effect.tenant, effect.idempotency_key)), { max_count: 1 });
      if (legacy !== undefined && legacy.metadata.actor === ENGINE && (legacy.data as { event_type?: unknown }).event_type === request.event_type) {
        const recorded = legacy.data as { event_id: string; executions: readonly { execution_id: string }[] };
        return { event_id: recorded.event_id, executions: recorded.executions.map((entry) => entry.execution_id) };
      }
      const answer = await deps.ingest(
        effect.tenant,
        { event_type: request.event_type, payload: request.payload, source: `execution:${effect.execution_id}`, event_id: engineIds.emittedEvent(effect.tenant, effect.idempotency_key) },
        { actor: ENGINE, correlation_id: origin?.correlation_id, chain_depth: depth },
      );
      return { event_id: answer.event_id, executions: answer.executions.map((entry) => entry.execution_id) };
    },
    createApproval: (effect, request) => deps.approvals.create(effect.tenant, request, { actor: ENGINE }),
    async executionContext(effect) {
      const { state } = await deps.runner.peek(effect.tenant, effect.execution_id);
      if (state.status === 'not_started') return { workflow_id: '', context: {} };
      return { workflow_id: state.workflow_id, context: state.context };
    },
  };
}
