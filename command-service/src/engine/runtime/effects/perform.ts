import type {
  ApprovalEffectRequest,
  EffectOutcome,
  EmitEffectRequest,
  ExecutionError,
  HttpEffectRequest,
  JsonRecord,
  NotifyEffectRequest,
  RecordEffectRequest,
} from '@iwf/contracts';
import type { EnrichmentSettings } from '../../adapters/enrichment.js';
import { loadResources } from '../../adapters/enrichment.js';
import type { HttpSettings } from '../../adapters/http.js';
import { sendHttp } from '../../adapters/http.js';
import type { NotifySettings } from '../../adapters/notify.js';
import { deliverAll } from '../../adapters/notify.js';
import type { SecretStore } from '../../adapters/secrets.js';
import { withSecrets } from '../../adapters/secrets.js';
import type { ClaimedEffect } from '../work-sync.js';

/** What effects need from the rest of the engine; each is idempotent by the effect's key. */
export interface EffectPorts {
  readonly http: HttpSettings;
  readonly notify: NotifySettings;
  readonly enrichment: EnrichmentSettings;
  readonly secrets: SecretStore;
  publishRecord(effect: ClaimedEffect, request: RecordEffectRequest): Promise<unknown>;
  emit(effect: ClaimedEffect, request: EmitEffectRequest): Promise<unknown>;
  createApproval(effect: ClaimedEffect, request: ApprovalEffectRequest): Promise<unknown>;
  executionContext(effect: ClaimedEffect): Promise<{ readonly workflow_id: string; readonly context: JsonRecord }>;
}

const completed = (result: unknown): EffectOutcome => ({ status: 'completed', result });
const failed = (error: ExecutionError): EffectOutcome => ({ status: 'failed', error });
const missingSecrets = (names: readonly string[]): EffectOutcome =>
  failed({ kind: 'invalid', message: `unknown secret${names.length > 1 ? 's' : ''}: ${names.join(', ')} (set IWF_SECRET_<NAME> or SECRETS_FILE)` });

// Markers are private to the engine; a recorded recipient shows the reference as written.
const MARKERS = /\uFDD0(secrets\.[A-Za-z0-9_-]{1,128})\uFDD1/g;
const shown = (text: string): string => text.replace(MARKERS, '{{$1}}');

/**
 * Performs one effect and says how it went. Failures of the outside world (an HTTP error, a
 * refused connection) are outcomes the decider applies retry policies to; a failure of our
 * own infrastructure throws, and the claim's lease brings the effect back later.
 */
export async function performEffect(effect: ClaimedEffect, ports: EffectPorts): Promise<EffectOutcome> {
  switch (effect.kind) {
    case 'http_request':
    case 'webhook': {
      const secret = withSecrets(effect.request as HttpEffectRequest, ports.secrets);
      if (!secret.ok) return missingSecrets(secret.missing);
      const deadline = effect.deadline === null ? null : new Date(effect.deadline);
      const outcome = await sendHttp(secret.value, deadline, { 'idempotency-key': effect.idempotency_key }, ports.http);
      if (outcome.ok) return completed(secret.scrub({ status: outcome.status, body: outcome.body, ...(outcome.truncated ? { truncated: true } : {}) }));
      return failed(secret.scrub(outcome.error));
    }
    case 'notify': {
      const request = effect.request as NotifyEffectRequest;
      const secret = withSecrets(request.recipients, ports.secrets);
      if (!secret.ok) return missingSecrets(secret.missing);
      const recipients = secret.value.map((address, index) => ({ address, shown: shown(request.recipients[index] ?? '') }));
      const deadline = effect.deadline === null ? null : new Date(effect.deadline);
      const { deliveries, failure } = await deliverAll(recipients, request.message, effect.idempotency_key, deadline, ports);
      return failure === undefined ? completed({ deliveries }) : failed(secret.scrub(failure));
    }
    case 'create_record':
    case 'update_record':
      return completed(await ports.publishRecord(effect, effect.request as RecordEffectRequest));
    case 'emit':
      return ports.emit(effect, effect.request as EmitEffectRequest).then(completed, (error: unknown) => {
        if (error instanceof EffectRefused) return failed(error.error);
        throw error;
      });
    case 'create_approval_request':
      return completed(await ports.createApproval(effect, effect.request as ApprovalEffectRequest));
    case 'load_context': {
      const resources = (effect.request as { resources?: readonly string[] }).resources ?? [];
      const { workflow_id, context } = await ports.executionContext(effect);
      const loaded = await loadResources({ execution_id: effect.execution_id, workflow_id, resources, context }, effect.idempotency_key, ports);
      return loaded.ok ? completed(loaded.result) : failed(loaded.error);
    }
    case 'log':
      return completed({ logged: true });
  }
}

/** A port refusing an effect for a reason the workflow should see (a chain too deep, an invalid event). */
export class EffectRefused extends Error {
  constructor(readonly error: ExecutionError) {
    super(error.message);
    this.name = 'EffectRefused';
  }
}
