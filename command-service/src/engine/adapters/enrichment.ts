import type { ExecutionError, JsonRecord, LoadContextEffectResult, LoadedResource } from '@iwf/contracts';
import type { HttpSettings } from './http.js';
import { sendHttp } from './http.js';

export interface EnrichmentSettings {
  readonly url: string | undefined;
  readonly timeoutMs: number;
}

export interface EnrichmentRequest {
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly resources: readonly string[];
  /** The execution context so far (the trigger payload): the endpoint finds its ids there. */
  readonly context: JsonRecord;
}

const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `context.load`: one POST to the enrichment endpoint with the resource names and the
 * context; it answers `{ "values": { "customer.profile": {...} } }` (or the values object
 * itself). A resource it does not return is recorded as skipped. Without an endpoint every
 * resource is skipped, which the execution history shows; it is not an error.
 */
export async function loadResources(
  request: EnrichmentRequest,
  key: string,
  settings: { readonly enrichment: EnrichmentSettings; readonly http: HttpSettings },
): Promise<{ readonly ok: true; readonly result: LoadContextEffectResult } | { readonly ok: false; readonly error: ExecutionError }> {
  const { url, timeoutMs } = settings.enrichment;
  if (url === undefined) {
    const resources = request.resources.map((name): LoadedResource => ({ name, status: 'skipped', error: 'no enrichment endpoint configured (ENRICHMENT_URL)' }));
    return { ok: true, result: { resources, values: {} } };
  }
  const outcome = await sendHttp({ url, method: 'POST', headers: {}, body: request }, new Date(Date.now() + timeoutMs), { 'idempotency-key': key }, settings.http);
  if (!outcome.ok) return { ok: false, error: outcome.error };
  const answer = isRecord(outcome.body) ? outcome.body : {};
  const values = isRecord(answer['values']) ? answer['values'] : answer;
  const loaded: Record<string, unknown> = {};
  const resources = request.resources.map((name): LoadedResource => {
    if (!(name in values)) return { name, status: 'skipped', error: 'the enrichment endpoint returned nothing for it' };
    loaded[name] = values[name];
    return { name, status: 'loaded' };
  });
  return { ok: true, result: { resources, values: loaded } };
}
