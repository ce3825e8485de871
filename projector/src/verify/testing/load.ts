import type pg from 'pg';
import type { NewEvent, WorkflowEvent } from '@iwf/contracts';
import { currentSchemaVersion, streamId } from '@iwf/contracts';
import { appendArguments } from '@iwf/command-service/event-store/postgres/append';
import { created, disabled, enabled, published } from '../../workflows/testing/workflow-events.js';
import type { Variant } from './templates.js';
import { LOAD_WORKFLOWS, VARIANTS, buildTemplate } from './templates.js';

/**
 * Generated history for the crash test and the rebuild benchmark: per tenant, the load
 * workflows and some publishing and toggling; then orders, each an ingested event, the
 * execution it started (decided by the real engine) and, for approvals, the approval
 * stream. Deterministic for a seed. Streams are appended in chunks, one transaction per
 * chunk, on several connections at once.
 */
export interface StreamAppend {
  readonly stream_id: string;
  readonly events: readonly NewEvent[];
}

export interface LoadOptions {
  readonly tenants: number;
  /** Orders per tenant. */
  readonly orders: number;
  readonly seed?: number;
  /** Start of the first order; orders spread over the following days. */
  readonly from?: string;
}

const HOURS = 72;

/** Deterministic UUIDs (seed and a counter), so one seed always yields the same log. */
class Ids {
  private next = 0;
  constructor(private readonly seed: number) {}
  uuid(): string {
    const n = (this.next++).toString(16).padStart(12, '0');
    return `${(this.seed >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${n}`;
  }
}

function newEvent(ids: Ids, tenant: string, correlation: string, type: string, data: unknown, actor = 'engine'): NewEvent {
  return { event_id: ids.uuid(), type, schema_version: currentSchemaVersion(type), data, metadata: { tenant, actor, correlation_id: correlation } };
}

function workflowStreams(ids: Ids, tenant: string): StreamAppend[] {
  return Object.keys(LOAD_WORKFLOWS).map((id) => {
    const at = (minute: number): string => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
    const history: WorkflowEvent[] = [created(id, at(0), { definition: LOAD_WORKFLOWS[id] }), disabled(id, at(1)), enabled(id, at(2)), published(id, at(3), { version: '1.0.1', definition: LOAD_WORKFLOWS[id] })];
    const correlation = ids.uuid();
    return { stream_id: streamId('workflow', tenant, id), events: history.map((event) => newEvent(ids, tenant, correlation, event.type, event.data, 'admin')) };
  });
}

/** The streams of one order: its ingested event, its execution (decided by the engine), its approval (if any). */
function orderStreams(ids: Ids, tenant: string, index: number, variant: Variant, startAt: string, seed: number): StreamAppend[] {
  const executionId = `ex-${seed}-${index}`;
  const eventId = `ev-${seed}-${index}`;
  const template = buildTemplate(variant, startAt, executionId, eventId);
  const correlation = ids.uuid();
  const ingested = newEvent(ids, tenant, correlation, 'EventIngested', {
    event_id: eventId, event_type: 'order.created', source: 'load', payload: template.payload, received_at: template.received_at,
    executions: [{ execution_id: executionId, workflow_id: template.workflow_id, workflow_revision: 1 }],
  }, 'agent-1');
  const execution = template.decisions.flat().map((event) => newEvent(ids, tenant, correlation, event.type, event.data));
  const streams: StreamAppend[] = [
    { stream_id: streamId('ingest', tenant, eventId), events: [ingested] },
    { stream_id: streamId('execution', tenant, executionId), events: execution },
  ];
  if (template.approval.length > 0) {
    const approval = template.approval.map((event, n) => newEvent(ids, tenant, correlation, event.type, event.data, n === 0 ? 'engine' : 'manager-1'));
    const approvalId = String((approval[0]!.data as { approval_id: string }).approval_id);
    streams.push({ stream_id: streamId('approval', tenant, approvalId), events: approval });
  }
  return streams;
}

/** Every stream of the load, in the order it is appended (workflows first), lazily. */
export function* generateLoad(options: LoadOptions): Generator<StreamAppend> {
  const seed = options.seed ?? 1;
  const ids = new Ids(seed);
  const from = Date.parse(options.from ?? '2024-05-01T00:00:00.000Z');
  const startOf = (hour: number): string => new Date(from + hour * 3_600_000 + (hour % 7) * 61_000).toISOString();
  const tenants = Array.from({ length: options.tenants }, (_, t) => `load-${seed}-${t}`);
  for (const tenant of tenants) yield* workflowStreams(ids, tenant);
  for (let index = 0; index < options.orders; index++) {
    for (const [t, tenant] of tenants.entries()) {
      const variant = VARIANTS[(index * 3 + t * 5 + seed) % VARIANTS.length]!;
      yield* orderStreams(ids, tenant, index, variant, startOf((index + t) % HOURS), seed);
    }
  }
}

// Many streams per statement: each row is one call of the store's own append function (same
// checks, revisions and hash chain as a single append), all in one transaction.
const BULK_APPEND = `SELECT count(*) FILTER (WHERE a.status <> 0)::int AS refused
  FROM json_to_recordset($1::json) AS x(stream text, expected bigint, ids uuid[], types text[], versions integer[], data json, metadata json)
  CROSS JOIN LATERAL iwf_events.append_json(x.stream, x.expected, x.ids, x.types, x.versions, x.data, x.metadata, false) AS a`;

function bulkRow(stream: StreamAppend): string {
  const [id, expected, eventIds, types, versions, data, metadata] = appendArguments(stream.stream_id, stream.events, 'any');
  // data and metadata are JSON array text already; they go in as JSON, not as strings.
  return `{"stream":${JSON.stringify(id)},"expected":${expected},"ids":${JSON.stringify(eventIds)},"types":${JSON.stringify(types)},"versions":${JSON.stringify(versions)},"data":${data},"metadata":${metadata}}`;
}

/** Appends the streams, `chunk` of them per statement, `connections` statements at a time; resolves with the events appended. */
export interface AppendOptions {
  readonly chunk?: number;
  readonly connections?: number;
  /** A pause after each chunk, to spread the load over time. */
  readonly pauseMs?: number;
  readonly onChunk?: (events: number) => void;
}

export async function appendLoad(pool: pg.Pool, streams: Iterable<StreamAppend>, options: AppendOptions = {}): Promise<number> {
  const iterator = streams[Symbol.iterator]();
  const chunkSize = options.chunk ?? 250;
  let appended = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const chunk: StreamAppend[] = [];
      for (let next = iterator.next(); !next.done; next = iterator.next()) if (chunk.push(next.value) >= chunkSize) break;
      if (chunk.length === 0) return;
      const result = await pool.query<{ refused: number }>(BULK_APPEND, [`[${chunk.map(bulkRow).join(',')}]`]);
      if (result.rows[0]?.refused !== 0) throw new Error(`the store refused ${result.rows[0]?.refused} of ${chunk.length} appends`);
      appended += chunk.reduce((sum, stream) => sum + stream.events.length, 0);
      options.onChunk?.(appended);
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.connections ?? 4 }, worker));
  return appended;
}
