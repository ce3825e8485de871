import { readFileSync } from 'node:fs';
import type { RecordedEvent } from '@iwf/contracts';
import type { ReceivedRequest, Receiver } from './receiver.js';
import { startReceiver } from './receiver.js';
import type { EngineTestSystem } from './system.js';

/**
 * The outside world of a test: one receiver answering every outbound host (each under its
 * own path prefix, through OUTBOUND_HOST_MAP) and the Slack, PagerDuty and email webhooks,
 * and an enrichment endpoint whose answer each test sets.
 */
export interface World {
  readonly outside: Receiver;
  readonly enrichment: Receiver;
  readonly env: Readonly<Record<string, string>>;
  /** Sets what the enrichment endpoint returns, by resource name. */
  enrich(values: Readonly<Record<string, unknown>>): void;
  /** Requests that reached one host (or channel: slack, pagerduty, email), in order. */
  to(prefix: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startWorld(hosts: readonly string[]): Promise<World> {
  const outside = await startReceiver();
  const enrichment = await startReceiver();
  const env = {
    OUTBOUND_HOST_MAP: hosts.map((host) => `${host}=${outside.url}/${host}`).join(','),
    ENRICHMENT_URL: `${enrichment.url}/enrich`,
    SLACK_WEBHOOK_URL: `${outside.url}/slack`,
    PAGERDUTY_EVENTS_URL: `${outside.url}/pagerduty`,
    PAGERDUTY_ROUTING_KEY: 'routing-key-test',
    EMAIL_WEBHOOK_URL: `${outside.url}/email`,
  };
  return {
    outside,
    enrichment,
    env,
    enrich(values) {
      enrichment.respond(() => ({ status: 200, body: { values } }));
    },
    to: (prefix) => outside.requests.filter((request) => request.path.startsWith(`/${prefix}`)),
    async close() {
      await outside.close();
      await enrichment.close();
    },
  };
}

const FIXTURES = new URL('../../../../../fixtures/workflows/legacy/', import.meta.url);

/** A legacy fixture exactly as it is on disk. */
export const legacyFixture = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Record<string, unknown>;

export interface Started {
  readonly event_id: string;
  readonly execution_id: string;
  readonly status: string;
  readonly decision: string | null;
  readonly position: string;
}

/** Ingests with `?wait=true` and expects exactly one execution to start. */
export async function ingestOne(system: EngineTestSystem, eventType: string, payload: unknown, eventId?: string): Promise<Started> {
  const reply = await system.call('POST', '/events?wait=true', { event_type: eventType, payload, ...(eventId ? { event_id: eventId } : {}) });
  if (reply.status !== 202) throw new Error(`ingest answered ${reply.status} ${JSON.stringify(reply.body)}`);
  const executions = reply.body['executions'] as { execution_id: string; status: string; decision: string | null }[];
  const [first] = executions;
  if (executions.length !== 1 || first === undefined) throw new Error(`expected one execution, got ${JSON.stringify(executions)}`);
  return { event_id: reply.body['event_id'] as string, ...first, position: reply.body['position'] as string };
}

export async function createWorkflow(system: EngineTestSystem, document: unknown): Promise<void> {
  const reply = await system.call('POST', '/workflows', document);
  if (reply.status !== 201) throw new Error(`create answered ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** The steps an execution completed (or failed, timed out), in order. */
export function stepsRun(events: readonly RecordedEvent[]): string[] {
  return events.filter((event) => event.type === 'StepCompleted').map((event) => (event.data as { step_id: string }).step_id);
}

/** The rendered requests of the execution's effects of one kind, in order. */
export function effectRequests(events: readonly RecordedEvent[], kind: string): Record<string, unknown>[] {
  return events
    .filter((event) => event.type === 'EffectRequested' && (event.data as { kind: string }).kind === kind)
    .map((event) => (event.data as { request: Record<string, unknown> }).request);
}

/** The outcome of each effect of one kind: its EffectCompleted result or EffectFailed error. */
export function effectOutcomes(events: readonly RecordedEvent[], kind: string): unknown[] {
  const ids = new Set(
    events.filter((event) => event.type === 'EffectRequested' && (event.data as { kind: string }).kind === kind).map((event) => (event.data as { effect_id: string }).effect_id),
  );
  return events
    .filter((event) => (event.type === 'EffectCompleted' || event.type === 'EffectFailed') && ids.has((event.data as { effect_id: string }).effect_id))
    .map((event) => (event.type === 'EffectCompleted' ? (event.data as { result: unknown }).result : { failed: (event.data as { error: unknown }).error }));
}
